/**
 * Rule subsumption: does every packet that matches rule `later` also match rule `earlier`?
 *
 * The test is sound and deliberately incomplete. It answers yes only with a proof: for every
 * condition of `earlier`, a reason it follows from the conditions of `later` (an address range
 * inside another, a port inside a range, the same conntrack states...). Whatever it cannot prove
 * (a statistic draw, which is independent per rule; xt_recent lists, which change as packets
 * pass; unknown modules; fields a listing did not print) makes the answer no. False "no" answers
 * only hide a finding; a false "yes" would invent one.
 *
 * Conditions on packet state that rules can change (marks, conntrack, ipsets, header fields
 * tested by generic modules) only count when nothing between the two rules can change that
 * state (`stateStable`).
 */
import { netMask, type IpNet } from '../model/ip.js';
import {
  STATISTIC_SCALE,
  type AddressTypeTest,
  type Match,
  type PortMatch,
  type PortRange,
  type StateSet,
} from '../model/matches.js';
import { Rule, type AddressMatch, type InterfaceMatch, type ProtocolMatch } from '../model/rule.js';
import { printMatch } from '../render/save.js';

export type Coverage =
  | { readonly covers: true; readonly reasons: readonly string[] }
  | { readonly covers: false; readonly reason: string };

export interface CoverOptions {
  /** Nothing between the two rules can change marks, conntrack state, sets or header fields. */
  readonly stateStable: boolean;
}

/** A proof step: a reason (listed), '' (trivially true, not listed), or null (not proven). */
type Proof = string | null;

const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '0': 'all',
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '33': 'dccp',
  '58': 'ipv6-icmp',
  '132': 'sctp',
  '136': 'udplite',
  icmpv6: 'ipv6-icmp',
};

function protocolName(p: ProtocolMatch): string {
  const n = p.name.toLowerCase();
  return PROTOCOL_NAMES[n] ?? n;
}

function bang(negated: boolean): string {
  return negated ? '! ' : '';
}

function protocolProof(a: ProtocolMatch | null, b: ProtocolMatch | null): Proof {
  if (a === null || (!a.negated && protocolName(a) === 'all')) return '';
  if (b === null) return null;
  const an = protocolName(a);
  const bn = protocolName(b);
  const said = `"${bang(a.negated)}-p ${a.name}" holds: the rule has "${bang(b.negated)}-p ${b.name}"`;
  if (!a.negated) return !b.negated && bn === an ? said : null;
  if (!b.negated) return bn !== an && bn !== 'all' ? said : null;
  return bn === an ? said : null;
}

function within(inner: IpNet, outer: IpNet): boolean {
  if (inner.family !== outer.family || inner.prefix < outer.prefix) return false;
  const mask = netMask(outer.family, outer.prefix);
  return (inner.address & mask) === (outer.address & mask);
}

function addressProof(flag: string, a: AddressMatch | null, b: AddressMatch | null): Proof {
  if (a === null) return '';
  const an = a.net;
  if (an !== null && !a.negated && an.prefix === 0) return '';
  if (b === null) return null;
  const bn = b.net;
  const said = `"${bang(a.negated)}${flag} ${a.text}" holds: the rule has "${bang(b.negated)}${flag} ${b.text}"`;
  if (an === null || bn === null) {
    // Host names (a listing without -n): only the very same text is known to mean the same.
    return a.negated === b.negated && a.text === b.text ? said : null;
  }
  if (an.family !== bn.family) return null;
  if (!a.negated && !b.negated) return within(bn, an) ? said : null;
  if (a.negated && !b.negated) return !within(bn, an) && !within(an, bn) ? said : null;
  if (a.negated && b.negated) return within(an, bn) ? said : null;
  return null;
}

interface InterfacePattern {
  readonly prefix: string;
  readonly wildcard: boolean;
}

function pattern(i: InterfaceMatch): InterfacePattern {
  return i.name.endsWith('+')
    ? { prefix: i.name.slice(0, -1), wildcard: true }
    : { prefix: i.name, wildcard: false };
}

/** Every name `inner` matches, `outer` matches too (`+` is a prefix wildcard). */
function patternWithin(inner: InterfacePattern, outer: InterfacePattern): boolean {
  if (outer.wildcard) return inner.prefix.startsWith(outer.prefix);
  return !inner.wildcard && inner.prefix === outer.prefix;
}

function patternsDisjoint(x: InterfacePattern, y: InterfacePattern): boolean {
  if (!x.wildcard && !y.wildcard) return x.prefix !== y.prefix;
  if (x.wildcard && y.wildcard)
    return !x.prefix.startsWith(y.prefix) && !y.prefix.startsWith(x.prefix);
  const [wild, exact] = x.wildcard ? [x, y] : [y, x];
  return !exact.prefix.startsWith(wild.prefix);
}

function interfaceProof(flag: string, a: InterfaceMatch | null, b: InterfaceMatch | null): Proof {
  if (a === null || (!a.negated && a.name === '+')) return '';
  if (b === null) return null;
  const pa = pattern(a);
  const pb = pattern(b);
  const said = `"${bang(a.negated)}${flag} ${a.name}" holds: the rule has "${bang(b.negated)}${flag} ${b.name}"`;
  if (!a.negated && !b.negated) return patternWithin(pb, pa) ? said : null;
  if (a.negated && !b.negated) return patternsDisjoint(pa, pb) ? said : null;
  if (a.negated && b.negated) return patternWithin(pa, pb) ? said : null;
  return null;
}

function rangeWithin(inner: PortRange, outer: PortRange): boolean {
  return inner.from >= outer.from && inner.to <= outer.to;
}

function rangesDisjoint(x: PortRange, y: PortRange): boolean {
  return x.to < y.from || y.to < x.from;
}

function portProof(flag: string, a: PortMatch | null, b: PortMatch | null): Proof {
  if (a === null) return '';
  if (a.range !== null && !a.negated && a.range.from === 0 && a.range.to === 65535) return '';
  if (b === null) return null;
  const said = `"${bang(a.negated)}${flag} ${a.text}" holds: the rule has "${bang(b.negated)}${flag} ${b.text}"`;
  if (a.range === null || b.range === null) {
    return a.negated === b.negated && a.text === b.text ? said : null;
  }
  if (!a.negated && !b.negated) return rangeWithin(b.range, a.range) ? said : null;
  if (a.negated && !b.negated) return rangesDisjoint(a.range, b.range) ? said : null;
  if (a.negated && b.negated) return rangeWithin(a.range, b.range) ? said : null;
  return null;
}

function setWithin(inner: readonly string[], outer: readonly string[]): boolean {
  return inner.length > 0 && inner.every((s) => outer.includes(s));
}

function setsDisjoint(x: readonly string[], y: readonly string[]): boolean {
  return !x.some((s) => y.includes(s));
}

/** For type and state tests: a set of values, possibly negated. */
function valueSetProof(
  a: { readonly negated: boolean; readonly values: readonly string[] },
  b: { readonly negated: boolean; readonly values: readonly string[] },
): boolean {
  if (!a.negated && !b.negated) return setWithin(b.values, a.values);
  if (a.negated && !b.negated) return b.values.length > 0 && setsDisjoint(a.values, b.values);
  if (a.negated && b.negated) return setWithin(a.values, b.values);
  return false;
}

function typeTest(t: AddressTypeTest): { negated: boolean; values: readonly string[] } {
  return { negated: t.negated, values: t.types };
}

function stateTest(s: StateSet): { negated: boolean; values: readonly string[] } {
  return { negated: s.negated, values: s.states };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Generic modules whose result depends only on the packet (and fields rules can rewrite). */
const PACKET_MODULES: ReadonlySet<string> = new Set([
  'icmp',
  'icmp6',
  'iprange',
  'mac',
  'pkttype',
  'length',
  'ttl',
  'hl',
  'dscp',
  'tos',
  'ecn',
  'owner',
  'devgroup',
  'policy',
  'ipvs',
  'ah',
  'esp',
  'helper',
  'realm',
  'u32',
]);

function matchText(m: Match): string {
  return printMatch(m).trim();
}

function sameMatch(a: Match, later: Rule): Proof {
  const twin = later.matches.find((m) => same(m, a));
  return twin !== undefined ? `"${matchText(a)}": the rule has the same match` : null;
}

function statefulNote(stateStable: boolean): string {
  return stateStable ? ' (no rule in between can change it)' : '';
}

function matchProof(a: Match, later: Rule, opts: CoverOptions): Proof {
  switch (a.kind) {
    case 'comment':
    case 'nfacct':
      return '';
    case 'statistic':
      if (a.mode === 'random') {
        if (!a.negated && a.kernelThreshold >= STATISTIC_SCALE) return '';
        if (a.negated && a.kernelThreshold === 0) return '';
      }
      // Each rule draws on its own: an earlier draw that fails says nothing about a later one.
      return null;
    case 'recent':
      // xt_recent lists change as packets pass (--set, --update, --reap).
      return null;
    case 'ports': {
      if (a.extra.length > 0) return sameMatch(a, later);
      if (a.sourcePort === null && a.destinationPort === null && a.tcpFlags === null) return '';
      for (const b of later.matches) {
        if (b.kind !== 'ports' || b.module !== a.module || b.extra.length > 0) continue;
        const sport = portProof('--sport', a.sourcePort, b.sourcePort);
        const dport = portProof('--dport', a.destinationPort, b.destinationPort);
        const flags =
          a.tcpFlags === null ? '' : same(a.tcpFlags, b.tcpFlags) ? 'the same --tcp-flags' : null;
        if (sport !== null && dport !== null && flags !== null) {
          return [sport, dport, flags].filter((s) => s !== '').join('; ');
        }
      }
      return null;
    }
    case 'multiport': {
      const twin = sameMatch(a, later);
      if (twin !== null) return twin;
      const list = a.destinationPorts;
      if (a.ports !== null || a.sourcePorts !== null || list === null || list.negated) return null;
      if (a.extra.length > 0 || list.ranges.some((r) => r === null)) return null;
      const ranges = list.ranges as readonly PortRange[];
      for (const b of later.matches) {
        let inner: readonly (PortRange | null)[] | null = null;
        if (b.kind === 'ports' && b.destinationPort !== null && !b.destinationPort.negated)
          inner = [b.destinationPort.range];
        if (b.kind === 'multiport' && b.destinationPorts !== null && !b.destinationPorts.negated)
          inner = b.destinationPorts.ranges;
        if (inner === null || inner.length === 0) continue;
        if (inner.every((r) => r !== null && ranges.some((o) => rangeWithin(r, o)))) {
          return `"${matchText(a)}" holds: every destination port of the rule is in that list`;
        }
      }
      return null;
    }
    case 'addrtype': {
      if (a.extra.length > 0) return sameMatch(a, later);
      const proofs: string[] = [];
      for (const side of ['sourceType', 'destinationType'] as const) {
        const test = a[side];
        if (test === null) continue;
        const found = later.matches.some(
          (b) =>
            b.kind === 'addrtype' &&
            b.limitIfaceIn === a.limitIfaceIn &&
            b.limitIfaceOut === a.limitIfaceOut &&
            b[side] !== null &&
            valueSetProof(typeTest(test), typeTest(b[side] as AddressTypeTest)),
        );
        if (!found) return null;
        proofs.push(
          `"${side === 'sourceType' ? '--src-type' : '--dst-type'} ${bang(test.negated)}${test.types.join(',')}" holds by the rule's own addrtype test`,
        );
      }
      return proofs.join('; ');
    }
    case 'conntrack': {
      if (!opts.stateStable) return null;
      if (a.extra.length > 0) return sameMatch(a, later);
      for (const b of later.matches) {
        if (b.kind !== 'conntrack' || b.extra.length > 0) continue;
        const stateOk =
          a.state === null ||
          (b.state !== null && valueSetProof(stateTest(a.state), stateTest(b.state)));
        const statusOk =
          a.status === null ||
          (b.status !== null && valueSetProof(stateTest(a.status), stateTest(b.status)));
        if (stateOk && statusOk) {
          return `"${matchText(a)}" holds: the rule has "${matchText(b)}"${statefulNote(true)}`;
        }
      }
      return null;
    }
    case 'mark': {
      if (!opts.stateStable) return null;
      if (a.extra.length > 0) return sameMatch(a, later);
      const v = a.value >>> 0;
      const m = a.mask >>> 0;
      if (a.negated && (v & ~m) >>> 0 !== 0) return ''; // (mark & m) can never equal v
      for (const b of later.matches) {
        if (b.kind !== 'mark' || b.module !== a.module || b.extra.length > 0) continue;
        const v2 = b.value >>> 0;
        const m2 = b.mask >>> 0;
        let ok = false;
        if (!a.negated && !b.negated)
          ok = (m & m2) >>> 0 === m && (v & ~m) >>> 0 === 0 && (v2 & m) >>> 0 === v;
        else if (a.negated && !b.negated) ok = ((v ^ v2) & m & m2) >>> 0 !== 0;
        else if (a.negated && b.negated) ok = (m2 & ~m) >>> 0 === 0 && (v & m2) >>> 0 === v2;
        if (ok)
          return `"${matchText(a)}" holds: the rule has "${matchText(b)}"${statefulNote(true)}`;
      }
      return null;
    }
    case 'set':
      return opts.stateStable ? sameMatch(a, later) : null;
    case 'physdev':
    case 'rpfilter':
      return sameMatch(a, later);
    case 'generic':
      return opts.stateStable && PACKET_MODULES.has(a.module) ? sameMatch(a, later) : null;
  }
}

function reasonOf(what: string): string {
  return `cannot show that every packet of the later rule satisfies ${what}`;
}

/** Whether every packet matching `later` matches `earlier`, with the proof. */
export function covers(earlier: Rule, later: Rule, opts: CoverOptions): Coverage {
  if ((earlier.unknowns?.length ?? 0) > 0 || (later.unknowns?.length ?? 0) > 0) {
    return { covers: false, reason: 'the input does not show every field of these rules' };
  }
  const reasons: string[] = [];
  const steps: [string, Proof][] = [
    ['-p', protocolProof(earlier.protocol, later.protocol)],
    ['-s', addressProof('-s', earlier.source, later.source)],
    ['-d', addressProof('-d', earlier.destination, later.destination)],
    ['-i', interfaceProof('-i', earlier.inInterface, later.inInterface)],
    ['-o', interfaceProof('-o', earlier.outInterface, later.outInterface)],
    [
      '-f',
      earlier.fragment === null
        ? ''
        : later.fragment !== null && later.fragment.negated === earlier.fragment.negated
          ? `"${bang(earlier.fragment.negated)}-f": the rule has the same`
          : null,
    ],
  ];
  for (const [what, proof] of steps) {
    if (proof === null) return { covers: false, reason: reasonOf(what) };
    if (proof !== '') reasons.push(proof);
  }
  for (const m of earlier.matches) {
    const proof = matchProof(m, later, opts);
    if (proof === null) return { covers: false, reason: reasonOf(`-m ${m.module}`) };
    if (proof !== '') reasons.push(proof);
  }
  return { covers: true, reasons };
}

/** Whether a rule matches every packet (no condition that can fail). */
export function matchesEverything(rule: Rule): boolean {
  const everything = new Rule(rule.table, rule.chain, 0, 0);
  return covers(rule, everything, { stateStable: true }).covers;
}
