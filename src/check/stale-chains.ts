/**
 * Per-service chains nothing uses: unreferenced KUBE-SVC/SVL/EXT/FW/XLB/SEP chains (a deleted
 * service or endpoint whose chains kube-proxy has not cleaned up yet, or leftovers of iptables
 * mode after a switch to IPVS or nftables), and referenced ones without rules. The kube view
 * finds them (StaleChain); this family words them and picks the code by proxy mode.
 */
import type { Chain } from '../model/ruleset.js';
import type { KubeModel, StaleChain } from '../kube/model.js';
import { makeFinding } from './codes.js';
import { showsWholeTables } from './completeness.js';
import { plural } from '../render/plural.js';
import { ruleRef } from './describe.js';
import { chainLocation, ruleLocation, type Finding } from './finding.js';

function dnatDestination(chain: Chain): string | null {
  for (const rule of chain.rules) {
    const t = rule.target;
    if (t !== null && t.kind === 'dnat' && t.destinations.length > 0) return t.destinations[0].text;
  }
  return null;
}

function packetsIn(chain: Chain): number | null {
  let total: number | null = null;
  for (const rule of chain.rules) {
    if (rule.counters !== null) total = (total ?? 0) + rule.counters.packets;
  }
  return total;
}

function describeChain(stale: StaleChain): string {
  const facts: string[] = [];
  if (stale.service !== null) facts.push(stale.service);
  const dest = dnatDestination(stale.chain);
  if (dest !== null) facts.push(`DNAT to ${dest}`);
  return facts.length > 0 ? `${stale.chain.name} (${facts.join(', ')})` : stale.chain.name;
}

function staleFinding(stale: StaleChain): Finding {
  const chain = stale.chain;
  const empty = chain.rules.length === 0;
  const explanation = [
    `no rule in table ${stale.table} jumps to ${chain.name}, so no packet can reach it`,
    'kube-proxy deletes the chains of removed services and endpoints at its next full sync (in large clusters at most once per sync period); a chain that stays may belong to a kube-proxy that stopped or to a hand-made change',
  ];
  const packets = packetsIn(chain);
  if (packets !== null && packets > 0) {
    explanation.push(
      `its rules counted ${plural(packets, 'packet')} before it was cut off: it was in use once`,
    );
  }
  return makeFinding(
    'stale-chain',
    `${describeChain(stale)} is ${empty ? 'empty and ' : ''}not referenced by any rule: a stale ${chain.name.startsWith('KUBE-SEP-') ? 'endpoint' : 'service'} chain`,
    chain.rules.length > 0
      ? ruleLocation(chain.rules[0], stale.service)
      : chainLocation(stale.table, chain.name, chain.line, stale.service),
    chain.rules,
    explanation,
  );
}

function emptyFinding(kube: KubeModel, stale: StaleChain): Finding {
  const refs: string[] = [];
  const rules = [];
  for (const table of kube.ruleset.tables) {
    if (table.name !== stale.table) continue;
    for (const c of table.chains) {
      for (const r of c.rules) {
        if (r.jumpChain === stale.chain.name) {
          refs.push(ruleRef(r));
          rules.push(r);
        }
      }
    }
  }
  return makeFinding(
    'empty-chain',
    `${describeChain(stale)} has no rules but is jumped to: packets sent there come back un-DNATed`,
    rules.length > 0
      ? ruleLocation(rules[0], stale.service)
      : chainLocation(stale.table, stale.chain.name, stale.chain.line, stale.service),
    rules,
    [
      `${refs.join(', ') || 'a rule'} jumps to ${stale.chain.name}, which has no rules: the jump returns at once and evaluation continues after it`,
      'a half-finished kube-proxy sync, or rules flushed by hand, leave chains like this',
    ],
  );
}

function leftoverFinding(kube: KubeModel, leftovers: readonly StaleChain[]): Finding {
  const mode = kube.mode === 'ipvs' ? 'IPVS' : 'nftables';
  const first = leftovers[0];
  const rules = leftovers.flatMap((s) => s.chain.rules);
  return makeFinding(
    'iptables-mode-leftover',
    `${plural(leftovers.length, 'per-service chain')} left over from iptables mode (kube-proxy now runs in ${mode} mode): they are not services without endpoints`,
    chainLocation(first.table, first.chain.name, first.chain.line, null),
    rules,
    [
      `kube-proxy in ${mode} mode does not use KUBE-SVC/KUBE-SEP chains; these were written before the switch and nothing jumps to them`,
      '`kube-proxy --cleanup` (or a node reboot) removes them',
      ...leftovers.map((s) => describeChain(s)),
    ],
  );
}

export function checkStaleChains(kube: KubeModel): Finding[] {
  if (!showsWholeTables(kube.ruleset)) return [];
  const out: Finding[] = [];
  const leftovers: StaleChain[] = [];
  const switched = kube.mode === 'ipvs' || kube.mode === 'nftables-leftovers';
  for (const stale of kube.staleChains) {
    if (switched) leftovers.push(stale);
    else if (stale.reason === 'empty') out.push(emptyFinding(kube, stale));
    else out.push(staleFinding(stale));
  }
  if (leftovers.length > 0) out.push(leftoverFinding(kube, leftovers));
  return out;
}
