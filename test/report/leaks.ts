/**
 * What a redacted report must not contain: every address in the raw dump text and in the
 * model, and every name the dump carries (namespaces, services, ports, hashed chains, non-fixed
 * chains, interfaces, ipsets, comments), minus what redaction keeps on purpose (documented in
 * the README: loopback and unspecified addresses, names every cluster has, fixed vocabularies).
 */
import { serviceNameInComment, WELL_KNOWN_SERVICE_PORT_NAMES } from '../../src/kube/comments.js';
import { serviceChainHash } from '../../src/kube/naming.js';
import { parseIp, parseNet } from '../../src/model/ip.js';
import type { Ruleset } from '../../src/model/ruleset.js';
import {
  COMMENT_VOCABULARY,
  commentWordCore,
  isFixedChainName,
  isFixedSetName,
  isGenericInterface,
  isWellKnownPort,
  isWellKnownService,
  WELL_KNOWN_NAMESPACES,
} from '../../src/report/redact/vocabulary.js';

const V4 = /(?<![0-9.])\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?(?![0-9])/g;
const V6 =
  /(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:\/\d{1,3})?(?![0-9A-Za-z:])/g;

/** Addresses that carry no information about anyone's network (kept as they are). */
function isGenericAddress(text: string): boolean {
  const net = parseNet(text);
  if (net === null) return true;
  if (net.prefix === 0) return true;
  const ip = parseIp(text.split('/')[0]);
  if (ip === null) return true;
  const v = ip.value;
  if (ip.family === 4) {
    if (Number(v >> 24n) === 127) return true;
    // A netmask (`--mask 255.255.255.255` of xt_recent) is not an address.
    const ones = v.toString(2).padStart(32, '0');
    return /^1{8,}0*$/.test(ones) && net.prefix === 32;
  }
  return v === 0n || v === 1n;
}

/**
 * Words that are names in one place and vocabulary in another: a user's port named `https` or
 * `tcp` is replaced, but the same word still appears as kube-dns's or kubernetes's port name
 * (kept) or as a protocol.
 */
const SHARED_WORDS: ReadonlySet<string> = new Set([
  'tcp',
  'udp',
  'sctp',
  'all',
  'https',
  'http',
  'dns',
  'dns-tcp',
  'metrics',
  // iptables and report words that also occur inside free-text comments
  'comment',
  'name',
  'default',
]);

/** Chains of the services every cluster has: their hashes derive from kept names. */
const WELL_KNOWN_CHAIN_HASHES: ReadonlySet<string> = new Set(
  WELL_KNOWN_SERVICE_PORT_NAMES.flatMap((n) =>
    (['tcp', 'udp', 'sctp'] as const).map((p) => serviceChainHash(n, p)),
  ),
);

const ADDRESS_LIKE = /^[[\]0-9A-Fa-f:./-]+$/;

export interface Originals {
  readonly addresses: ReadonlySet<string>;
  readonly names: ReadonlySet<string>;
}

/** Every address and name of the dump that redaction must replace. */
export function collectOriginals(raw: string, ruleset: Ruleset): Originals {
  const addresses = new Set<string>();
  const names = new Set<string>();
  const addAddress = (text: string): void => {
    let bare = text.startsWith('[') ? text.slice(1, text.indexOf(']')) : text;
    const net = parseNet(bare);
    if (net === null || isGenericAddress(bare)) return;
    // A host prefix is found in any spelling: `10.0.0.1` also matches `10.0.0.1/32`.
    if (net.prefix === (net.family === 4 ? 32 : 128)) bare = bare.split('/')[0];
    addresses.add(bare);
  };
  for (const m of raw.matchAll(V4)) addAddress(m[0]);
  for (const m of raw.matchAll(V6)) if (parseNet(m[0]) !== null) addAddress(m[0]);
  for (const rule of ruleset.rules()) {
    if (rule.source !== null) addAddress(rule.source.text);
    if (rule.destination !== null) addAddress(rule.destination.text);
    const t = rule.target;
    if (t !== null && t.kind === 'dnat') {
      for (const d of t.destinations) if (d.addressFrom !== null) addAddress(d.addressFrom);
    }
    for (const address of [rule.source, rule.destination]) {
      // Host names (a listing without -n) are names too.
      if (address === null || address.net !== null || address.text === 'anywhere') continue;
      names.add(address.text.split('/')[0]);
    }
    const comment = rule.comment;
    if (comment !== null) {
      for (const word of comment.split(' ')) {
        const core = commentWordCore(word);
        if (core === '' || /^\d+$/.test(core) || COMMENT_VOCABULARY.has(core)) continue;
        if (serviceNameInComment(word) !== null || ADDRESS_LIKE.test(word)) continue;
        if (isFixedChainName(word) || /^KUBE-/.test(word)) continue;
        // Words of comments that are not kube-proxy's: ids, hashes, free text.
        if (word.length >= 4) names.add(word.replace(/^["'(]+|["'),.;:]+$/g, ''));
      }
    }
    const n = serviceNameInComment(rule.comment);
    if (n !== null) {
      if (!WELL_KNOWN_NAMESPACES.has(n.namespace)) names.add(n.namespace);
      if (!isWellKnownService(n.namespace, n.name)) names.add(n.name);
      if (n.portName !== '' && !isWellKnownPort(n.namespace, n.name, n.portName))
        names.add(n.portName);
    }
    for (const i of [rule.inInterface, rule.outInterface]) {
      if (i !== null && !isGenericInterface(i.name)) names.add(i.name.replace(/\+$/, ''));
    }
    for (const m of rule.matches) {
      if (m.kind === 'set' && !isFixedSetName(m.setName)) names.add(m.setName);
    }
  }
  for (const table of ruleset.tables) {
    for (const chain of table.chains) {
      const hashed = /^KUBE-(SVC|SVL|EXT|FW|XLB|SEP)-([A-Z2-7]{16})$/.exec(chain.name);
      if (hashed !== null && WELL_KNOWN_CHAIN_HASHES.has(hashed[2])) continue;
      if (!chain.builtin && (hashed !== null || !isFixedChainName(chain.name)))
        names.add(chain.name);
    }
  }
  return { addresses, names };
}

function wordRegExp(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9_.-])${escaped}(?![A-Za-z0-9_-])`);
}

function addressRegExp(address: string): RegExp {
  const escaped = address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Not part of a longer address or number.
  return new RegExp(`(?<![0-9A-Fa-f.:])${escaped}(?![0-9A-Fa-f]|\\.\\d|:[0-9A-Fa-f]*:)`);
}

/** Every original that survives somewhere in `output`. */
export function findLeaks(output: string, originals: Originals): string[] {
  const leaks: string[] = [];
  for (const a of originals.addresses) if (addressRegExp(a).test(output)) leaks.push(a);
  for (const n of originals.names) {
    if (SHARED_WORDS.has(n)) continue;
    if (wordRegExp(n).test(output)) leaks.push(n);
  }
  return leaks;
}
