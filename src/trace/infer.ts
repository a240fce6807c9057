/**
 * What the dump itself says about the node it came from: local addresses, pod CIDRs, the pod
 * interface, kube-proxy's masquerade mark. Each inference carries the evidence a person can
 * check; the engine shows them as assumptions, and flags override them. Computed once per
 * Ruleset. Large dumps are mostly per-service chains (KUBE-SVC/SEP-…), so those are only
 * sampled where kube-proxy puts the facts (their first rules); the endpoint facts, which need
 * every KUBE-SEP chain, are computed on first use.
 */
import { netContains, type IpNet } from '../model/ip.js';
import type { Rule } from '../model/rule.js';
import type { Ruleset } from '../model/ruleset.js';
import {
  endpointText,
  firstHost,
  ipKey,
  ipText,
  isHostNet,
  isHostText,
  LOOPBACK_V4,
  LOOPBACK_V6,
  toIp,
  type Ip,
} from './address.js';
import { formatNet } from '../model/ip.js';

export interface InferredValue<T> {
  readonly value: T;
  /**
   * For node addresses: true for the node's own IP (nodePortAddresses, SNAT source), false for
   * an interface address guessed from a bridge (cni0, docker0) that is local but not "the node IP".
   */
  readonly primary?: boolean;
  /** Why we believe it, for people: `nat KUBE-SERVICES: -d 192.168.1.10/32 -j KUBE-NODEPORTS`. */
  readonly evidence: string;
}

export interface InferredFacts {
  readonly nodeAddresses: readonly InferredValue<Ip>[];
  /** The cluster-wide pod CIDR(s) kube-proxy's local-traffic detector uses. */
  readonly clusterCidrs: readonly InferredValue<IpNet>[];
  /** This node's pod CIDR, when a CNI rule names it. */
  readonly nodePodCidrs: readonly InferredValue<IpNet>[];
  readonly podInterface: InferredValue<string> | null;
  /** kube-proxy's masquerade mark (the MARK value in KUBE-MARK-MASQ; 0x4000 by default). */
  readonly masqueradeMark: number;
  /** What the DNAT rules say; computed on first call, then cached. */
  readonly endpoints: () => EndpointFacts;
}

/**
 * The endpoints whose DNAT rule adds to the `recent` list `name`. kube-proxy names each list
 * after its KUBE-SEP chain, so that chain is looked at first; other rulesets get a full scan.
 */
export function recentListEndpoints(
  ruleset: Ruleset,
  facts: InferredFacts,
  name: string,
): readonly string[] {
  const chain = ruleset.chain('nat', name);
  const found: string[] = [];
  for (const rule of chain?.rules ?? []) {
    const target = rule.target;
    if (target === null || target.kind !== 'dnat') continue;
    if (!rule.matches.some((m) => m.kind === 'recent' && m.command === 'set' && m.name === name))
      continue;
    for (const d of target.destinations)
      if (d.addressFrom !== null)
        found.push(d.ports !== null ? endpointText(d.addressFrom, d.ports.from) : d.addressFrom);
  }
  return found.length > 0 ? found : (facts.endpoints().recentLists.get(name) ?? []);
}

export interface EndpointFacts {
  /** `recent` list name → the endpoints (`ip:port`) whose DNAT rule adds to that list. */
  readonly recentLists: ReadonlyMap<string, readonly string[]>;
  /** Every address some DNAT rule sends to (to pick a pod source that is no endpoint). */
  readonly dnatAddresses: ReadonlySet<string>;
}

/** Chains kube-proxy writes per service or endpoint: most of a large dump. */
function isPerServiceChain(name: string): boolean {
  return (
    name.startsWith('KUBE-SEP-') ||
    name.startsWith('KUBE-SVC-') ||
    name.startsWith('KUBE-SVL-') ||
    name.startsWith('KUBE-EXT-') ||
    name.startsWith('KUBE-FW-') ||
    name.startsWith('KUBE-XLB-')
  );
}

/** The detector and short-circuit rules sit at the top of a KUBE-SVC/SVL/EXT/XLB chain. */
const SAMPLED_RULES = 3;

function endpointFacts(ruleset: Ruleset): EndpointFacts {
  const recentSets = new Map<string, Set<string>>();
  const dnatAddresses = new Set<string>();
  for (const table of ruleset.tables) {
    if (table.name !== 'nat') continue;
    for (const chain of table.chains)
      for (const rule of chain.rules) {
        const target = rule.target;
        if (target === null || target.kind !== 'dnat') continue;
        for (const d of target.destinations)
          if (d.addressFrom !== null) dnatAddresses.add(d.addressFrom);
        for (const m of rule.matches) {
          if (m.kind !== 'recent' || m.command !== 'set') continue;
          let set = recentSets.get(m.name);
          if (set === undefined) recentSets.set(m.name, (set = new Set()));
          for (const d of target.destinations)
            if (d.addressFrom !== null)
              set.add(d.ports !== null ? endpointText(d.addressFrom, d.ports.from) : d.addressFrom);
        }
      }
  }
  const recentLists = new Map<string, readonly string[]>();
  for (const [name, set] of recentSets) recentLists.set(name, [...set]);
  return { recentLists, dnatAddresses };
}

const KUBE_DETECTOR_CHAIN = /^KUBE-(SVC|SVL|EXT|XLB|SERVICES$|FORWARD$)/;

function where(rule: Rule): string {
  return `${rule.table} ${rule.chain} #${rule.index}`;
}

function isLoopbackNet(net: IpNet): boolean {
  const lo = net.family === 4 ? LOOPBACK_V4 : LOOPBACK_V6;
  return net.prefix >= lo.prefix && netContains(lo, net.family, net.address);
}

function pushUnique<T>(list: InferredValue<T>[], item: InferredValue<T>, key: (v: T) => string) {
  const k = key(item.value);
  if (!list.some((x) => key(x.value) === k)) list.push(item);
}

const netKey = (n: IpNet): string => formatNet(n);

/** A concrete interface some rule names that starts with `prefix` (`cali3c6e1f0a9b2`). */
function concreteInterface(ruleset: Ruleset, prefix: string): string | null {
  for (const t of ruleset.tables)
    for (const c of t.chains)
      for (const r of c.rules) {
        const name = r.inInterface?.name;
        if (
          name !== undefined &&
          name.startsWith(prefix) &&
          name.length > prefix.length &&
          !name.endsWith('+')
        )
          return name;
      }
  return null;
}

/** The CNI a dump shows, judged by its chain names, and where its pods usually attach. */
function podInterfaceFromChains(ruleset: Ruleset): InferredValue<string> | null {
  let flannel = false;
  let cniBridge = false;
  let kind = false;
  let calico = false;
  let weave = false;
  for (const t of ruleset.tables)
    for (const c of t.chains) {
      // Kubernetes' own chains are most of a large dump: skip them with one test.
      const n = c.name;
      if (n.startsWith('KUBE-')) continue;
      if (n.startsWith('FLANNEL')) flannel = true;
      else if (n.startsWith('CNI-')) cniBridge = true;
      else if (n.startsWith('KIND-')) kind = true;
      else if (n.startsWith('cali')) calico = true;
      else if (n.startsWith('WEAVE')) weave = true;
    }
  if (calico) {
    const workload = concreteInterface(ruleset, 'cali');
    if (workload !== null)
      return {
        value: workload,
        evidence: `a Calico workload interface named by the rules (-i ${workload})`,
      };
  }
  const hint = (value: string, what: string): InferredValue<string> => ({
    value,
    evidence: `${what} chains present; ${value} is that CNI's usual pod interface`,
  });
  if (flannel) return hint('cni0', 'flannel');
  if (cniBridge) return hint('cni0', 'CNI bridge plugin');
  if (kind) return hint('veth0', 'kindnet (KIND-*)');
  if (calico) return hint('cali0', 'Calico (cali-*)');
  if (weave) return hint('weave', 'Weave');
  return null;
}

export function inferFacts(ruleset: Ruleset): InferredFacts {
  const nodeAddresses: InferredValue<Ip>[] = [];
  const clusterCidrs: InferredValue<IpNet>[] = [];
  const innerNets: InferredValue<IpNet>[] = [];
  let detectorInterface: InferredValue<string> | null = null;
  let masqueradeMark: number | null = null;
  let dockerBridge = false;
  const ipKeyOf = (ip: Ip): string => ipKey(ip);
  // Each distinct prefix text is considered once: the same few repeat thousands of times.
  const seenDetectorTexts = new Set<string>();
  const seenInnerTexts = new Set<string>();

  for (const table of ruleset.tables) {
    for (const chain of table.chains) {
      if (chain.name.startsWith('KUBE-SEP-')) continue;
      const kubeDetector = KUBE_DETECTOR_CHAIN.test(chain.name);
      const rules = isPerServiceChain(chain.name)
        ? chain.rules.slice(0, SAMPLED_RULES)
        : chain.rules;
      for (const rule of rules) {
        const target = rule.target;
        if (target === null) continue;
        // The local-traffic detector: `! -s CIDR -j KUBE-MARK-MASQ`, `-s CIDR -j KUBE-SVC-…`.
        if (
          kubeDetector &&
          rule.source !== null &&
          !isHostText(rule.source.text) &&
          !seenDetectorTexts.has(rule.source.text)
        ) {
          seenDetectorTexts.add(rule.source.text);
          const net = rule.source.net;
          if (net !== null && !isHostNet(net) && !isLoopbackNet(net) && net.prefix > 0)
            pushUnique(
              clusterCidrs,
              {
                value: net,
                evidence: `${where(rule)}: ${rule.source.negated ? '! ' : ''}-s ${rule.source.text}`,
              },
              netKey,
            );
        }
        if (kubeDetector && detectorInterface === null && rule.inInterface !== null)
          detectorInterface = {
            value: rule.inInterface.name.endsWith('+')
              ? `${rule.inInterface.name.slice(0, -1)}0`
              : rule.inInterface.name,
            evidence: `${where(rule)}: ${rule.inInterface.negated ? '! ' : ''}-i ${rule.inInterface.name} (kube-proxy's pod-interface detector)`,
          };
        if (table.name === 'nat') {
          if (
            chain.name === 'KUBE-SERVICES' &&
            target.kind === 'chain' &&
            target.chain === 'KUBE-NODEPORTS' &&
            rule.destination !== null &&
            !rule.destination.negated
          ) {
            const net = rule.destination.net;
            if (net !== null && isHostNet(net) && !isLoopbackNet(net))
              pushUnique(
                nodeAddresses,
                {
                  value: { family: net.family, value: net.address },
                  primary: true,
                  evidence: `${where(rule)}: -d ${rule.destination.text} -j KUBE-NODEPORTS (nodePortAddresses)`,
                },
                ipKeyOf,
              );
          }
          if (target.kind === 'snat') {
            for (const r of target.sources) {
              const ip = r.addressFrom !== null ? toIp(r.addressFrom) : null;
              if (ip !== null)
                pushUnique(
                  nodeAddresses,
                  {
                    value: ip,
                    primary: true,
                    evidence: `${where(rule)}: SNAT --to-source ${r.text}`,
                  },
                  ipKeyOf,
                );
            }
          }
          if (target.kind === 'masquerade' && rule.source?.text === '172.17.0.0/16')
            dockerBridge = true;
          if (chain.name === 'KUBE-MARK-MASQ' && target.kind === 'mark' && target.value !== null)
            masqueradeMark ??= target.value;
        }
        // Prefixes strictly inside a pod CIDR (flannel's `-s 10.244.1.0/24 -d 10.244.0.0/16`).
        for (let side = 0; side < 2; side++) {
          const a = side === 0 ? rule.source : rule.destination;
          if (a === null || isHostText(a.text) || seenInnerTexts.has(a.text)) continue;
          seenInnerTexts.add(a.text);
          const net = a.net;
          if (net !== null && !isHostNet(net) && net.prefix > 0 && !isLoopbackNet(net))
            pushUnique(innerNets, { value: net, evidence: `${where(rule)}: ${a.text}` }, netKey);
        }
      }
    }
  }

  const nodePodCidrs: InferredValue<IpNet>[] = [];
  for (const inner of innerNets) {
    for (const outer of clusterCidrs) {
      const o = outer.value;
      const i = inner.value;
      if (i.family === o.family && i.prefix > o.prefix && netContains(o, i.family, i.address))
        pushUnique(
          nodePodCidrs,
          { value: i, evidence: `${inner.evidence} (inside the pod CIDR ${formatNet(o)})` },
          netKey,
        );
    }
  }

  const podInterface = detectorInterface ?? podInterfaceFromChains(ruleset);
  // A pod bridge holds the first address of the node's pod CIDR (cni0 10.244.1.1): a local address.
  if (
    nodePodCidrs.length === 1 &&
    podInterface !== null &&
    /^(cni|cbr)\d/.test(podInterface.value)
  ) {
    const gw = firstHost(nodePodCidrs[0].value);
    pushUnique(
      nodeAddresses,
      {
        value: gw,
        evidence: `the pod bridge ${podInterface.value} usually holds ${ipText(gw)}, the first address of ${formatNet(nodePodCidrs[0].value)}`,
      },
      ipKeyOf,
    );
  }
  if (dockerBridge && ruleset.family !== 'ipv6') {
    const ip = toIp('172.17.0.1');
    if (ip !== null)
      pushUnique(
        nodeAddresses,
        { value: ip, evidence: "Docker's MASQUERADE for 172.17.0.0/16: docker0 holds 172.17.0.1" },
        ipKeyOf,
      );
  }

  let endpoints: EndpointFacts | null = null;
  return {
    nodeAddresses,
    clusterCidrs,
    nodePodCidrs,
    podInterface,
    masqueradeMark: masqueradeMark ?? 0x4000,
    endpoints: () => (endpoints ??= endpointFacts(ruleset)),
  };
}
