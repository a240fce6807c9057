/**
 * From what a person asks ("10.96.0.10:53 over udp, from a pod") to a complete Packet: every
 * field left open gets a default that fits the dump, and each default is stated as an assumption.
 */
import type { Ruleset } from '../model/ruleset.js';
import { netContains, formatNet, type IpNet } from '../model/ip.js';
import {
  ipKey,
  ipText,
  isLoopback,
  parseNetText,
  toIp,
  traceFamilyOf,
  type Ip,
} from './address.js';
import { isLocal, resolveEnvironment, type TraceEnvironment } from './environment.js';
import { traceFlow } from './engine.js';
import { prepareTrace } from './prepare.js';
import type { Packet, PacketOrigin, TraceOptions, TraceProtocol, TraceResult } from './types.js';

export interface PacketSpec {
  readonly destination: string;
  readonly destinationPort: number;
  readonly protocol?: TraceProtocol;
  readonly origin?: PacketOrigin;
  readonly source?: string;
  readonly sourcePort?: number;
  readonly inInterface?: string;
  readonly outInterface?: string;
  readonly mark?: number;
}

export class PacketError extends Error {}

/** An ephemeral port, as a client would use. */
const DEFAULT_SOURCE_PORT = 43_210;
/** TEST-NET-2 (RFC 5737): stands for "some machine outside the cluster". */
const EXTERNAL_SOURCE_V4 = '198.51.100.10';
const EXTERNAL_SOURCE_V6 = '2001:db8:ffff::10';
const DEFAULT_POD_CIDR_V4 = '10.244.0.0/16';
const DEFAULT_POD_CIDR_V6 = 'fd00:10:244::/64';

/** How many pod addresses tracePacket tries before it gives up avoiding a hairpin. */
const POD_SOURCE_ATTEMPTS = 8;

/**
 * The `attempt`-th candidate pod address of `net`, counting down from the top of the range
 * (pods are usually numbered from the bottom), skipping local addresses.
 */
function podAddress(net: IpNet, attempt: number, env: TraceEnvironment): Ip {
  const size = net.family === 4 ? 1n << BigInt(32 - net.prefix) : 1n << 16n;
  let skipped = 0;
  for (let offset = size - 6n; offset > 1n; offset--) {
    const ip: Ip = { family: net.family, value: net.address + offset };
    if (isLocal(env, ip)) continue;
    if (skipped++ === attempt) return ip;
  }
  return { family: net.family, value: net.address + 2n };
}

export interface BuiltPacket {
  readonly packet: Packet;
  readonly assumptions: readonly string[];
}

export function buildPacket(
  ruleset: Ruleset,
  spec: PacketSpec,
  options: TraceOptions = {},
  /** For a default pod source: which candidate address (tracePacket retries on a hairpin). */
  attempt = 0,
): BuiltPacket {
  const destination = toIp(spec.destination);
  if (destination === null) throw new PacketError(`"${spec.destination}" is not an IP address`);
  const family = destination.family;
  const prepared = prepareTrace(ruleset);
  const isService = prepared.ruleDestinations.has(ipKey(destination));
  const { env, placeholderNode } = resolveEnvironment({
    family,
    facts: prepared.facts,
    options,
    destination,
    destinationIsServiceAddress: isService,
    nodeSource: null,
    recentList: () => [],
  });
  const assumptions: string[] = [];

  let origin = spec.origin;
  if (origin === undefined) {
    const inPods = env.clusterCidrs.some((c) => netContains(c, family, destination.value));
    origin = isService || inPods ? 'pod' : 'external';
    assumptions.push(
      origin === 'pod'
        ? 'the packet comes from a pod on this node (default for a service address; --from)'
        : 'the packet comes from a machine outside the node (default for an address that is not a service; --from)',
    );
  }

  let source: Ip;
  if (spec.source !== undefined) {
    const s = toIp(spec.source);
    if (s === null) throw new PacketError(`--src "${spec.source}" is not an IP address`);
    if (s.family !== family)
      throw new PacketError(
        `--src ${spec.source} and ${spec.destination} are of different IP families`,
      );
    source = s;
  } else if (origin === 'node') {
    // The kernel picks the source from the route: a local destination is its own source.
    source = isLocal(env, destination) ? destination : env.primaryAddress;
    assumptions.push(
      placeholderNode && source === env.primaryAddress
        ? `source ${ipText(source)}: the dump names no address of the node, so this documentation address stands in for it (--src, --node-ip)`
        : `source ${ipText(source)}: the address the node would send from (--src)`,
    );
  } else if (origin === 'pod') {
    const fallback = parseNetText(
      family === 4 ? DEFAULT_POD_CIDR_V4 : DEFAULT_POD_CIDR_V6,
    ) as IpNet;
    const net = env.nodePodCidrs[0] ?? env.clusterCidrs[0] ?? fallback;
    source = podAddress(net, attempt, env);
    assumptions.push(
      `source ${ipText(source)}: a pod address in ${formatNet(net)} that none of the outcomes goes to (--src; give an endpoint's address to trace hairpin traffic)`,
    );
  } else {
    source = toIp(family === 4 ? EXTERNAL_SOURCE_V4 : EXTERNAL_SOURCE_V6) as Ip;
    assumptions.push(`source ${ipText(source)}: a client outside the cluster (--src)`);
  }
  if (origin === 'external' && (isLoopback(source) || isLocal(env, source)))
    assumptions.push(
      `source ${ipText(source)} is an address of the node itself; --from node traces what the node sends`,
    );

  const inInterface =
    origin === 'node'
      ? null
      : (spec.inInterface ?? (origin === 'pod' ? env.podInterface : env.externalInterface));
  if (origin !== 'node' && spec.inInterface === undefined)
    assumptions.push(`the packet arrives on ${inInterface} (--in-iface)`);

  const packet: Packet = {
    family: traceFamilyOf(family),
    protocol: spec.protocol ?? 'tcp',
    origin,
    source: ipText(source),
    sourcePort: spec.sourcePort ?? DEFAULT_SOURCE_PORT,
    destination: ipText(destination),
    destinationPort: spec.destinationPort,
    inInterface,
    outInterface: spec.outInterface ?? null,
    mark: spec.mark ?? 0,
  };
  return { packet, assumptions };
}

function isHairpin(result: TraceResult): boolean {
  return result.outcomes.some(
    (o) => o.verdict === 'DNAT' && o.destination?.address === result.packet.source,
  );
}

/**
 * buildPacket + traceFlow: the assumptions of both, packet defaults first. A default pod source
 * that turns out to be one of the endpoints (a hairpin the user did not ask for) is replaced by
 * the next candidate address.
 */
export function tracePacket(
  ruleset: Ruleset,
  spec: PacketSpec,
  options: TraceOptions = {},
): TraceResult {
  const retry = spec.source === undefined;
  for (let attempt = 0; ; attempt++) {
    const built = buildPacket(ruleset, spec, options, attempt);
    const result = traceFlow(ruleset, built.packet, options);
    const again = retry && built.packet.origin === 'pod' && attempt + 1 < POD_SOURCE_ATTEMPTS;
    if (!again || !isHairpin(result))
      return { ...result, assumptions: [...built.assumptions, ...result.assumptions] };
  }
}
