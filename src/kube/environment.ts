/**
 * Node-wide facts around the services: which proxy mode wrote the rules, which CNI and Docker
 * chains are present, kube-proxy's mark bits, its local-traffic detector, the pod CIDRs and the
 * node addresses the rules reveal.
 */
import { formatIp, parseNet } from '../model/ip.js';
import type { Rule } from '../model/rule.js';
import type { Ruleset } from '../model/ruleset.js';
import type {
  DetectedSoftware,
  Evidence,
  LocalTrafficDetector,
  MarkBit,
  NodeAddress,
  ProxyMode,
} from './model.js';
import { isEndpointChain, splitServiceChain } from './naming.js';
import { addressText, hostAddress, networkText } from './rule-facts.js';

/** ipsets kube-proxy's IPVS mode matches on (pkg/proxy/ipvs). */
const IPVS_SETS =
  /^KUBE-(CLUSTER-IP|LOOP-BACK|NODE-PORT-|LOAD-BALANCER|EXTERNAL-IP|HEALTH-CHECK-NODE-PORT|NODE-PORT-LOCAL)/;
/** nat/filter chains only IPVS mode creates. */
const IPVS_CHAINS = new Set([
  'KUBE-NODE-PORT',
  'KUBE-LOAD-BALANCER',
  'KUBE-IPVS-FILTER',
  'KUBE-SOURCE-RANGES-FIREWALL',
  'KUBE-IPVS-OUT-FILTER',
]);

export interface ModeResult {
  readonly mode: ProxyMode;
  readonly evidence: readonly Evidence[];
}

export function detectMode(ruleset: Ruleset): ModeResult {
  const ipvs: Evidence[] = [];
  const iptables: Evidence[] = [];
  let serviceChains = 0;
  let emptyServiceChains = 0;
  let sawSetMatch = false;
  for (const table of ruleset.tables) {
    for (const chain of table.chains) {
      if (IPVS_CHAINS.has(chain.name)) {
        ipvs.push({
          fact: `${table.name} chain ${chain.name} (IPVS mode)`,
          rule: null,
          chain: chain.name,
        });
      }
      const perService =
        table.name === 'nat' &&
        (splitServiceChain(chain.name) !== null || isEndpointChain(chain.name));
      if (perService) {
        serviceChains++;
        if (chain.ruleCount === 0) emptyServiceChains++;
        // kube-proxy's IPVS mode matches its ipsets in the chains it shares between services,
        // never in per-service ones: those (most of a large dump) need not be read here.
        continue;
      }
      const isServices = table.name === 'nat' && chain.name === 'KUBE-SERVICES';
      // After the first ipset match, only KUBE-SERVICES has anything left to tell.
      if (sawSetMatch && !isServices) continue;
      for (const rule of chain.rules) {
        if (!sawSetMatch) {
          for (const m of rule.matches) {
            if (m.kind === 'set' && IPVS_SETS.test(m.setName) && !sawSetMatch) {
              sawSetMatch = true;
              ipvs.push({
                fact: `ipset match --match-set ${m.setName} (IPVS mode)`,
                rule,
                chain: chain.name,
              });
            }
          }
        }
        if (
          isServices &&
          rule.jumpChain !== null &&
          splitServiceChain(rule.jumpChain) !== null &&
          iptables.length === 0
        ) {
          iptables.push({
            fact: `KUBE-SERVICES jumps to ${rule.jumpChain} (iptables mode)`,
            rule,
            chain: chain.name,
          });
        }
      }
    }
  }
  const nonEmpty = serviceChains - emptyServiceChains;
  if (nonEmpty > 0 && iptables.length === 0) {
    iptables.push({ fact: `${nonEmpty} KUBE-SVC/SEP chains with rules`, rule: null, chain: null });
  }
  if (emptyServiceChains > 0) {
    const fact = `${emptyServiceChains} of ${serviceChains} KUBE-SVC/SVL/EXT/FW/XLB/SEP chains are empty`;
    (ipvs.length > 0 ? ipvs : iptables).push({ fact, rule: null, chain: null });
  }
  if (ipvs.length > 0 && nonEmpty === 0) return { mode: 'ipvs', evidence: ipvs };
  if (nonEmpty > 0 || iptables.some((e) => e.rule !== null)) {
    return { mode: 'iptables', evidence: [...iptables, ...ipvs] };
  }
  if (ipvs.length > 0) return { mode: 'ipvs', evidence: ipvs };
  if (serviceChains > 0) {
    return {
      mode: 'nftables-leftovers',
      evidence: [
        ...iptables,
        {
          fact: 'no IPVS signs: kube-proxy may run in nftables mode (its rules are in `nft list table ip kube-proxy`, not in this dump) or may be stopped',
          rule: null,
          chain: null,
        },
      ],
    };
  }
  const fragment = ruleset.format === 'save-fragment' || ruleset.format === 'listing-fragment';
  if (fragment)
    return {
      mode: 'unknown',
      evidence: [{ fact: 'a fragment without kube-proxy chains', rule: null, chain: null }],
    };
  const nat = ruleset.table('nat');
  if (nat === undefined) {
    // A listing of the filter table alone (`iptables -nvL`) still shows kube-proxy's own chains;
    // the rules that would tell iptables from IPVS mode are in the nat table it leaves out.
    const own = ruleset.tables.flatMap((t) =>
      t.chains.filter((c) => c.name.startsWith('KUBE-')).map((c) => c.name),
    );
    if (own.length > 0) {
      return {
        mode: 'unknown',
        evidence: [
          {
            fact: `kube-proxy's chains are here (${own.slice(0, 3).join(', ')}${own.length > 3 ? ', …' : ''}), but not the nat table that holds its service rules and would tell its mode`,
            rule: null,
            chain: null,
          },
        ],
      };
    }
  }
  const hasServices = nat?.chain('KUBE-SERVICES') !== undefined;
  return {
    mode: 'none',
    evidence: [
      {
        fact: hasServices
          ? 'KUBE-SERVICES has no service rules'
          : 'no kube-proxy chains (KUBE-SERVICES, KUBE-SVC-…); kube-proxy may run in nftables mode, or not at all',
        rule: null,
        chain: null,
      },
    ],
  };
}

const SOFTWARE: readonly { readonly name: string; readonly test: (chain: string) => boolean }[] = [
  {
    name: 'docker',
    test: (c) => c === 'DOCKER' || c.startsWith('DOCKER-') || c.startsWith('DOCKER_'),
  },
  { name: 'flannel', test: (c) => c.startsWith('FLANNEL-') },
  { name: 'calico', test: (c) => c.startsWith('cali-') },
  { name: 'cilium', test: (c) => c.startsWith('CILIUM_') || c.startsWith('OLD_CILIUM_') },
  { name: 'kindnet', test: (c) => c === 'KIND-MASQ-AGENT' },
  { name: 'weave', test: (c) => c.startsWith('WEAVE') },
  {
    name: 'kube-router',
    test: (c) =>
      c.startsWith('KUBE-ROUTER-') || c.startsWith('KUBE-NWPLCY-') || c.startsWith('KUBE-POD-FW-'),
  },
  { name: 'antrea', test: (c) => c.startsWith('ANTREA-') },
  { name: 'cni-plugins', test: (c) => c.startsWith('CNI-') },
  { name: 'istio', test: (c) => c.startsWith('ISTIO_') },
];

export function detectSoftware(ruleset: Ruleset): DetectedSoftware[] {
  const found = new Map<string, string[]>();
  for (const table of ruleset.tables) {
    for (const chain of table.chains) {
      for (const s of SOFTWARE) {
        if (!s.test(chain.name)) continue;
        const list = found.get(s.name) ?? [];
        if (!list.includes(chain.name)) list.push(chain.name);
        found.set(s.name, list);
      }
    }
  }
  return [...found].map(([name, chains]) => ({ name, chains }));
}

/** The mark set by a one-rule marking chain (`-j MARK --set-xmark V/M`). */
export function markOfChain(ruleset: Ruleset, chainName: string): MarkBit | null {
  const chain = ruleset.chain('nat', chainName);
  if (chain === undefined) return null;
  for (const rule of chain.rules) {
    const t = rule.target;
    if (t !== null && t.kind === 'mark' && t.value !== null && t.mask !== null) {
      return { value: t.value, mask: t.mask, rule };
    }
  }
  return null;
}

const EVIDENCE_RULES = 5;

/** Collects the local-traffic detector and pod CIDRs as the service chains are read. */
export class DetectorEvidence {
  private readonly cidrs = new Map<string, Rule[]>();
  private readonly interfaces = new Map<string, Rule[]>();
  private readonly extraPodCidrs = new Set<string>();

  /** A masquerade rule `! -s CIDR` / `! -i IF`, or a short-circuit `-s CIDR` / `-i IF`. */
  noteRule(rule: Rule): void {
    if (rule.source !== null) {
      const cidr = networkText(rule.source);
      if (cidr !== null && hostAddress(rule.source) === null && !cidr.startsWith('127.')) {
        DetectorEvidence.keep(this.cidrs, cidr, rule);
      }
    } else if (rule.inInterface !== null) {
      DetectorEvidence.keep(this.interfaces, rule.inInterface.name, rule);
    }
  }

  /** Every service repeats the same detector: a few rules are evidence enough. */
  private static keep(into: Map<string, Rule[]>, key: string, rule: Rule): void {
    const list = into.get(key);
    if (list === undefined) into.set(key, [rule]);
    else if (list.length < EVIDENCE_RULES) list.push(rule);
  }

  /** A pod CIDR seen outside kube-proxy's detector (KUBE-FORWARD conntrack rules). */
  notePodCidr(cidr: string): void {
    this.extraPodCidrs.add(cidr);
  }

  detector(): LocalTrafficDetector | null {
    if (this.cidrs.size > 0) {
      return {
        kind: 'cidr',
        values: [...this.cidrs.keys()],
        evidence: [...this.cidrs.values()].flat().slice(0, 5),
      };
    }
    if (this.interfaces.size > 0) {
      return {
        kind: 'interface',
        values: [...this.interfaces.keys()],
        evidence: [...this.interfaces.values()].flat().slice(0, EVIDENCE_RULES),
      };
    }
    return null;
  }

  podCidrs(): string[] {
    const out = [...this.cidrs.keys()];
    for (const c of this.extraPodCidrs) if (!out.includes(c)) out.push(c);
    return out;
  }
}

/** KUBE-FORWARD `-s CIDR … --ctstate RELATED,ESTABLISHED` (≤1.21) names the cluster CIDR. */
export function forwardPodCidrs(ruleset: Ruleset): string[] {
  const chain = ruleset.chain('filter', 'KUBE-FORWARD');
  if (chain === undefined) return [];
  const out: string[] = [];
  for (const rule of chain.rules) {
    if (!rule.matches.some((m) => m.kind === 'conntrack')) continue;
    for (const a of [rule.source, rule.destination]) {
      if (a === null || a.negated) continue;
      const cidr = networkText(a);
      if (cidr !== null && hostAddress(a) === null && !out.includes(cidr)) out.push(cidr);
    }
  }
  return out;
}

function firstHost(cidr: string): string | null {
  const net = parseNet(cidr);
  if (net === null || net.family !== 4 || net.prefix > 30) return null;
  return formatIp(4, net.address + 1n);
}

/** Addresses the rules show to be local to this node. */
export function inferNodeAddresses(ruleset: Ruleset): NodeAddress[] {
  const out: NodeAddress[] = [];
  const add = (ip: string, confidence: NodeAddress['confidence'], evidence: Evidence): void => {
    if (!out.some((a) => a.ip === ip)) out.push({ ip, confidence, evidence });
  };
  const nat = ruleset.table('nat');
  const services = nat?.chain('KUBE-SERVICES');
  if (services !== undefined) {
    for (const rule of services.rules) {
      if (rule.jumpChain !== 'KUBE-NODEPORTS') continue;
      const ip = hostAddress(rule.destination);
      if (ip !== null) {
        add(ip, 'certain', {
          fact: `nodePortAddresses rule: KUBE-SERVICES sends ${ip} to KUBE-NODEPORTS`,
          rule,
          chain: 'KUBE-SERVICES',
        });
      }
    }
  }
  const postrouting = nat?.chain('POSTROUTING');
  if (postrouting !== undefined) {
    for (const rule of postrouting.rules) {
      // Docker: -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE → docker0 is .1
      const t = rule.target;
      if (
        t !== null &&
        t.kind === 'masquerade' &&
        rule.source !== null &&
        !rule.source.negated &&
        rule.outInterface !== null &&
        rule.outInterface.negated &&
        !rule.outInterface.name.endsWith('+')
      ) {
        const ip = firstHost(addressText(rule.source));
        if (ip !== null) {
          add(ip, 'likely', {
            fact: `bridge ${rule.outInterface.name} masquerades ${addressText(rule.source)}: its gateway address is usually the first one`,
            rule,
            chain: 'POSTROUTING',
          });
        }
      }
    }
  }
  return out;
}
