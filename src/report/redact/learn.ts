/**
 * Before anything is redacted: register every service port name the comments show (so the set
 * of sensitive names is complete when comments are judged), and work out the pseudonymous chain
 * names. A chain hash is recomputed from the pseudonyms only when recomputing it from the
 * original names gives the original hash; otherwise it gets a keyed pseudonym.
 */
import type { Rule } from '../../model/rule.js';
import type { Ruleset, Table } from '../../model/ruleset.js';
import { serviceNameInComment, WELL_KNOWN_SERVICE_PORT_NAMES } from '../../kube/comments.js';
import type { ServiceProtocol } from '../../kube/model.js';
import { endpointChainName, serviceChainHash, splitServiceChain } from '../../kube/naming.js';
import type { Redactor } from './redactor.js';

const PROTOCOLS: readonly ServiceProtocol[] = ['tcp', 'udp', 'sctp'];

interface NamedHash {
  /** svcPortName as kube-proxy hashed it. */
  readonly name: string;
  readonly protocol: ServiceProtocol;
}

function dnatDestination(rules: readonly Rule[]): { text: string; protocol: string | null } | null {
  for (const rule of rules) {
    const t = rule.target;
    if (t !== null && t.kind === 'dnat' && t.destinations.length > 0) {
      return { text: t.destinations[0].text, protocol: rule.protocol?.name ?? null };
    }
  }
  return null;
}

function learnServiceChains(
  redactor: Redactor,
  nat: Table,
  names: ReadonlySet<string>,
): Map<string, NamedHash> {
  const byHash = new Map<string, NamedHash>();
  for (const name of names) {
    for (const protocol of PROTOCOLS)
      byHash.set(serviceChainHash(name, protocol), { name, protocol });
  }
  const known = new Map<string, NamedHash>();
  for (const chain of nat.chains) {
    const split = splitServiceChain(chain.name);
    if (split === null) continue;
    const named = byHash.get(split.hash);
    if (named === undefined) continue;
    known.set(chain.name, named);
    const pseudonym = redactor.svcPortName(named.name);
    if (pseudonym !== null) {
      redactor.setServiceHash(split.hash, serviceChainHash(pseudonym, named.protocol));
    }
  }
  return known;
}

function learnEndpointChains(
  redactor: Redactor,
  nat: Table,
  serviceChains: ReadonlyMap<string, NamedHash>,
): void {
  const callers = new Map<string, NamedHash[]>();
  for (const chain of nat.chains) {
    const named = serviceChains.get(chain.name);
    if (named === undefined) continue;
    for (const rule of chain.rules) {
      const target = rule.jumpChain;
      if (target === null || !target.startsWith('KUBE-SEP-')) continue;
      const list = callers.get(target) ?? [];
      list.push(named);
      callers.set(target, list);
    }
  }
  for (const chain of nat.chains) {
    if (!chain.name.startsWith('KUBE-SEP-')) continue;
    const dest = dnatDestination(chain.rules);
    if (dest === null) continue;
    const candidates: NamedHash[] = [...(callers.get(chain.name) ?? [])];
    for (const rule of chain.rules) {
      const n = serviceNameInComment(rule.comment);
      if (n === null) continue;
      for (const protocol of PROTOCOLS) candidates.push({ name: n.text, protocol });
    }
    for (const c of candidates) {
      if (endpointChainName(c.name, c.protocol, dest.text) !== chain.name) continue;
      const pseudonym = redactor.svcPortName(c.name);
      if (pseudonym === null) break;
      redactor.setChain(
        chain.name,
        endpointChainName(pseudonym, c.protocol, redactor.structured(dest.text)),
      );
      break;
    }
  }
}

export function learnNames(redactor: Redactor, ruleset: Ruleset): void {
  const names = new Set<string>(WELL_KNOWN_SERVICE_PORT_NAMES);
  const chains: string[] = [];
  for (const table of ruleset.tables)
    for (const c of table.chains) if (!c.builtin) chains.push(c.name);
  for (const rule of ruleset.rules()) {
    const n = serviceNameInComment(rule.comment);
    if (n !== null) {
      names.add(n.text);
      redactor.svcPortName(n.text);
    }
  }
  for (const table of ruleset.tables) {
    if (table.name !== 'nat' && table.nameSource === 'declared') continue;
    const serviceChains = learnServiceChains(redactor, table, names);
    learnEndpointChains(redactor, table, serviceChains);
  }
  // Every chain gets its pseudonym now (after the hashes above), so comments that name a chain
  // of this dump are recognised wherever they come.
  for (const name of chains) redactor.chain(name);
}
