/**
 * The facts a trace runs with that the dump alone cannot state: which addresses are local to
 * the node, where routes lead, ipset members, affinity state. Built from the user's options
 * first, then from what the dump shows (infer.ts), then from plain defaults; every fact not
 * given by the user becomes a listed assumption.
 */
import type { IpNet } from '../model/ip.js';
import { formatNet, netContains } from '../model/ip.js';
import { firstHost, ipText, isLoopback, NetSet, parseNetText, toIp, type Ip } from './address.js';
import type { InferredFacts } from './infer.js';
import type { TraceFact, TraceOptions, ValueSource } from './types.js';

export interface Route {
  readonly interface: string;
  readonly local: boolean;
}

export interface TraceEnvironment {
  readonly family: 4 | 6;
  readonly localAddresses: NetSet;
  readonly primaryAddress: Ip;
  readonly nodePodCidrs: readonly IpNet[];
  readonly clusterCidrs: readonly IpNet[];
  readonly podInterface: string;
  readonly podInterfaceIsBridge: boolean;
  readonly externalInterface: string;
  readonly ipsetMembers: ReadonlyMap<string, NetSet>;
  readonly unknownSetMembership: 'match' | 'no-match';
  readonly unknownMatch: 'match' | 'no-match';
  readonly affinityHit: { readonly address: Ip; readonly port: number | null } | null;
  /** The endpoints (`ip:port`) whose DNAT rule adds to a `recent` list (looked up on demand). */
  readonly recentList: (name: string) => readonly string[];
  readonly masqueradeMark: number;
  readonly facts: readonly TraceFact[];
}

export function isLocal(env: TraceEnvironment, ip: Ip): boolean {
  return isLoopback(ip) || env.localAddresses.has(ip);
}

export function route(env: TraceEnvironment, ip: Ip): Route {
  if (isLocal(env, ip)) return { interface: 'lo', local: true };
  for (const net of env.nodePodCidrs)
    if (netContains(net, ip.family, ip.value)) return { interface: env.podInterface, local: false };
  return { interface: env.externalInterface, local: false };
}

/** The address MASQUERADE picks: the primary address of the interface the packet leaves by. */
export function masqueradeSource(env: TraceEnvironment, outInterface: string): Ip {
  if (outInterface === env.podInterface && env.podInterfaceIsBridge && env.nodePodCidrs.length > 0)
    return firstHost(env.nodePodCidrs[0]);
  return env.primaryAddress;
}

export interface EnvironmentInput {
  readonly family: 4 | 6;
  readonly facts: InferredFacts;
  readonly options: TraceOptions;
  /** The destination the user asked about (for the "a NodePort on this node" default). */
  readonly destination: Ip;
  /** Whether some nat rule names the destination with `-d` (a service address). */
  readonly destinationIsServiceAddress: boolean;
  /** The source of a packet sent by the node itself: an address of the node, whatever else says. */
  readonly nodeSource: Ip | null;
  readonly recentList: (name: string) => readonly string[];
}

export interface ResolvedEnvironment {
  readonly env: TraceEnvironment;
  readonly assumptions: string[];
  /** True when nothing names the node's address and `primaryAddress` is a stand-in. */
  readonly placeholderNode: boolean;
}

const PLACEHOLDER_NODE_V4 = '192.0.2.1';
const PLACEHOLDER_NODE_V6 = '2001:db8::1';

function sourceLabel(source: ValueSource): string {
  return source === 'given'
    ? 'given'
    : source === 'inferred'
      ? 'inferred from the dump'
      : 'default';
}

export function isBridgeName(name: string): boolean {
  return /^(cni|cbr|docker|br|kube-bridge|weave)/.test(name);
}

export function resolveEnvironment(input: EnvironmentInput): ResolvedEnvironment {
  const { facts, options, family } = input;
  const assumptions: string[] = [];
  const traceFacts: TraceFact[] = [];
  const sameFamily = <T extends { family: 4 | 6 }>(x: T): boolean => x.family === family;

  // Local addresses: loopback always; what the user gave; what the dump shows.
  const local = new NetSet();
  const given: Ip[] = [];
  for (const text of options.nodeAddresses ?? []) {
    const ip = toIp(text);
    if (ip !== null && ip.family === family) given.push(ip);
  }
  const inferred = facts.nodeAddresses.filter((v) => v.value.family === family);
  for (const ip of given)
    local.add({ family: ip.family, address: ip.value, prefix: family === 4 ? 32 : 128 });
  for (const v of inferred)
    local.add({ family: v.value.family, address: v.value.value, prefix: family === 4 ? 32 : 128 });

  const nodeLike = inferred.filter((v) => v.primary === true);
  const nodeSource =
    input.nodeSource !== null && !isLoopback(input.nodeSource) ? input.nodeSource : null;
  if (nodeSource !== null)
    local.add({ family, address: nodeSource.value, prefix: family === 4 ? 32 : 128 });
  let primary: Ip | null = given[0] ?? nodeSource ?? nodeLike[0]?.value ?? null;

  const dest = input.destination;
  const destKnown =
    isLoopback(dest) ||
    local.has(dest) ||
    input.destinationIsServiceAddress ||
    facts.clusterCidrs.some((c) => netContains(c.value, dest.family, dest.value));
  if (given.length === 0 && nodeSource === null && !destKnown) {
    // Nothing says what the destination is: not a service address, not a pod. The common case
    // is a NodePort on this node, so trace it as a local address and say so.
    local.add({ family: dest.family, address: dest.value, prefix: family === 4 ? 32 : 128 });
    primary ??= dest;
    assumptions.push(
      `${ipText(dest)} is assumed to be an address of this node: no rule names it as a service address and no pod CIDR holds it (give --node-ip to state the node's addresses)`,
    );
  }
  const placeholderNode = primary === null;
  if (primary === null) {
    const placeholder = toIp(family === 4 ? PLACEHOLDER_NODE_V4 : PLACEHOLDER_NODE_V6) as Ip;
    primary = placeholder;
    local.add({ family, address: placeholder.value, prefix: family === 4 ? 32 : 128 });
    assumptions.push(
      `the node's own address is unknown; ${ipText(placeholder)} stands in for it (give --node-ip)`,
    );
  }
  const nodeValues = [
    ...given.map(ipText),
    ...inferred.map((v) => ipText(v.value)).filter((t) => !given.some((g) => ipText(g) === t)),
  ];
  traceFacts.push({
    name: 'node-addresses',
    values: nodeValues,
    source: given.length > 0 ? 'given' : inferred.length > 0 ? 'inferred' : 'default',
  });
  if (given.length > 0 && inferred.length > 0)
    assumptions.push(
      `also local, as the dump suggests: ${inferred.map((v) => `${ipText(v.value)} (${v.evidence})`).join('; ')}`,
    );
  if (given.length === 0) {
    if (nodeSource !== null)
      assumptions.push(
        `${ipText(nodeSource)}, the source of a packet the node sends, is an address of the node`,
      );
    if (inferred.length > 0)
      assumptions.push(
        `local addresses of the node (besides loopback): ${inferred.map((v) => `${ipText(v.value)} (${v.evidence})`).join('; ')}; anything else is assumed not local, LoadBalancer and external IPs included (give --node-ip to change)`,
      );
    else
      assumptions.push(
        'the dump names no address of the node; besides loopback, only what is listed here is treated as local, LoadBalancer and external IPs included (give --node-ip to change)',
      );
  }

  // Pod CIDRs: the node's own (routed to the pod interface) and the cluster's.
  const givenPodCidrs = (options.podCidrs ?? [])
    .map(parseNetText)
    .filter((n): n is IpNet => n !== null && n.family === family);
  const inferredNodeCidrs = facts.nodePodCidrs.map((v) => v.value).filter(sameFamily);
  const clusterCidrs = facts.clusterCidrs.map((v) => v.value).filter(sameFamily);
  const nodePodCidrs = givenPodCidrs.length > 0 ? givenPodCidrs : inferredNodeCidrs;
  traceFacts.push({
    name: 'pod-cidrs',
    values: nodePodCidrs.map(formatNet),
    source: givenPodCidrs.length > 0 ? 'given' : nodePodCidrs.length > 0 ? 'inferred' : 'default',
  });
  if (givenPodCidrs.length === 0) {
    if (inferredNodeCidrs.length > 0)
      assumptions.push(
        `this node's pods are in ${facts.nodePodCidrs
          .filter((v) => sameFamily(v.value))
          .map((v) => `${formatNet(v.value)} (${v.evidence})`)
          .join('; ')} (--pod-cidr to change)`,
      );
    else
      assumptions.push(
        "which pod addresses live on this node is unknown: routes to pods are assumed to leave by the node's outside interface (give --pod-cidr)",
      );
  }

  const podInterfaceSource: ValueSource =
    options.podInterface !== undefined
      ? 'given'
      : facts.podInterface !== null
        ? 'inferred'
        : 'default';
  const podInterface = options.podInterface ?? facts.podInterface?.value ?? 'cni0';
  traceFacts.push({ name: 'pod-interface', values: [podInterface], source: podInterfaceSource });
  if (podInterfaceSource !== 'given')
    assumptions.push(
      `pods sit behind ${podInterface} (${facts.podInterface?.evidence ?? sourceLabel(podInterfaceSource)})`,
    );
  const externalInterface = options.externalInterface ?? 'eth0';
  traceFacts.push({
    name: 'external-interface',
    values: [externalInterface],
    source: options.externalInterface !== undefined ? 'given' : 'default',
  });

  const ipsetMembers = new Map<string, NetSet>();
  for (const [name, members] of options.ipsetMembers ?? new Map<string, readonly string[]>()) {
    const set = new NetSet();
    for (const m of members) {
      const net = parseNetText(m);
      if (net !== null) set.add(net);
    }
    ipsetMembers.set(name, set);
  }

  let affinityHit: TraceEnvironment['affinityHit'] = null;
  if (options.affinityHit !== undefined) {
    const parsed = parseEndpoint(options.affinityHit);
    if (parsed !== null) affinityHit = parsed;
  }

  return {
    env: {
      family,
      localAddresses: local,
      primaryAddress: primary,
      nodePodCidrs,
      clusterCidrs,
      podInterface,
      podInterfaceIsBridge: isBridgeName(podInterface),
      externalInterface,
      ipsetMembers,
      unknownSetMembership: options.unknownSetMembership ?? 'no-match',
      unknownMatch: options.unknownMatch ?? 'match',
      affinityHit,
      recentList: input.recentList,
      masqueradeMark: facts.masqueradeMark,
      facts: traceFacts,
    },
    assumptions,
    placeholderNode,
  };
}

/** `10.0.0.1`, `10.0.0.1:80`, `[fd00::1]:80`, `fd00::1`. */
export function parseEndpoint(text: string): { address: Ip; port: number | null } | null {
  const t = text.trim();
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket !== null) {
    const address = toIp(bracket[1]);
    return address === null
      ? null
      : { address, port: bracket[2] !== undefined ? Number(bracket[2]) : null };
  }
  const v4port = /^([0-9.]+):(\d+)$/.exec(t);
  if (v4port !== null) {
    const address = toIp(v4port[1]);
    return address === null ? null : { address, port: Number(v4port[2]) };
  }
  const address = toIp(t);
  return address === null ? null : { address, port: null };
}
