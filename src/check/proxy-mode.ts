/**
 * kube-proxy's mode as the dump shows it. In IPVS and nftables mode the per-service iptables
 * chains are not where services live, so the endpoint checks do not apply and leftover chains
 * are not services without endpoints; saying so up front keeps readers from false alarms.
 */
import type { KubeModel } from '../kube/model.js';
import { makeFinding } from './codes.js';
import { NO_LOCATION, ruleLocation, type Finding } from './finding.js';

export function checkProxyMode(kube: KubeModel): Finding[] {
  const evidence = kube.modeEvidence.map((e) => e.fact);
  const firstRule = kube.modeEvidence.find((e) => e.rule !== null)?.rule ?? null;
  const where = firstRule !== null ? ruleLocation(firstRule) : NO_LOCATION;
  const rules = kube.modeEvidence.flatMap((e) => (e.rule !== null ? [e.rule] : []));
  switch (kube.mode) {
    case 'ipvs':
      return [
        makeFinding(
          'proxy-mode-ipvs',
          'kube-proxy runs in IPVS mode: services and endpoints live in the kernel IPVS table (ipvsadm -Ln) and ipsets, so this dump cannot show missing endpoints',
          where,
          rules,
          evidence,
        ),
      ];
    case 'nftables-leftovers':
      return [
        makeFinding(
          'proxy-mode-nftables',
          'kube-proxy chains exist but hold no service rules and there is no sign of IPVS: kube-proxy probably runs in nftables mode (nft list table ip kube-proxy) or is stopped',
          where,
          rules,
          evidence,
        ),
      ];
    case 'none':
      // Without a nat table (a filter listing) the dump cannot show kube-proxy's services.
      if (kube.ruleset.table('nat') === undefined) return [];
      return [
        makeFinding(
          'proxy-mode-none',
          'the dump has no kube-proxy service rules: kube-proxy does not run in iptables mode on this node (nftables mode, a replacement such as Cilium, or not running), or this is not the nat table',
          where,
          rules,
          evidence,
        ),
      ];
    default:
      return [];
  }
}
