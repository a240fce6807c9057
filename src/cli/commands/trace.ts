/**
 * `k8s-ipt trace DEST [FILE]`: where a new flow to DEST goes through this node's rules, every
 * branch with its probability, and what the dump could not tell.
 */
import { Option, type Command } from 'commander';
import { buildKubeModel } from '../../kube/build.js';
import {
  findServicePortsByAddress,
  findServicePortsByName,
  parseServiceQuery,
} from '../../kube/lookup.js';
import type { KubeModel, ServicePort } from '../../kube/model.js';
import type { Ruleset } from '../../model/ruleset.js';
import { escapeText } from '../../render/escape.js';
import { stringifyInert } from '../../render/diff-json.js';
import { traceToJson } from '../../render/trace-json.js';
import { renderTraceText } from '../../render/trace-text.js';
import { labelOutcomes, labelOutcomesFromComments } from '../../trace/labels.js';
import { PacketError, tracePacket, type PacketSpec } from '../../trace/packet.js';
import type { PacketOrigin, TraceOptions, TraceProtocol } from '../../trace/types.js';
import { parseIp } from '../../model/ip.js';
import { parseNet } from '../../model/ip.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { loadRuleset, withInputOptions, type InputOptions } from '../input.js';

interface TraceCommandOptions extends InputOptions {
  proto?: TraceProtocol;
  from?: PacketOrigin;
  src?: string;
  sport?: string;
  inIface?: string;
  outIface?: string;
  nodeIp: string[];
  podCidr: string[];
  podIface?: string;
  affinityHit?: string;
  ipsetMember: string[];
  assumeIpset?: 'match' | 'no-match';
  assumeUnknown?: 'match' | 'no-match';
  mark?: string;
  json?: boolean;
}

/** Above this many rules, outcomes are labelled from rule comments rather than the kube view. */
const KUBE_LABEL_RULE_LIMIT = 100_000;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function usage(message: string): never {
  throw new CliError(message, EXIT_USAGE);
}

function parsePort(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
    usage(`${what}: "${escapeText(text)}" is not a port number`);
  return Number(text);
}

function describeService(s: ServicePort): string {
  const where =
    s.clusterIP !== null && s.port !== null
      ? ` (${s.clusterIP}:${s.port}/${s.protocol ?? '?'})`
      : '';
  return `${escapeText(s.identity.label)}${where}`;
}

function listChoices(services: readonly ServicePort[]): string {
  return (
    services.slice(0, 12).map(describeService).join(', ') + (services.length > 12 ? ', …' : '')
  );
}

interface Destination {
  readonly address: string;
  readonly port: number;
  readonly protocol: TraceProtocol | null;
}

/** DEST as typed: `IP:PORT`, `IP`, `[v6]:PORT`, or a service `ns/name[:port]`. */
function resolveDestination(
  dest: string,
  protocol: TraceProtocol | null,
  model: () => KubeModel,
): Destination {
  const query = parseServiceQuery(dest);
  if (query === null) usage('DEST is empty');
  if (query.kind === 'chain') usage(`DEST is a chain name; give IP:PORT or ns/name[:port]`);
  if (query.kind === 'address') {
    const proto = protocol ?? query.protocol;
    if (query.port !== null) return { address: query.ip, port: query.port, protocol: proto };
    const ports = findServicePortsByAddress(model(), query.ip, null, proto).filter(
      (s) => s.port !== null,
    );
    const distinct = new Map<string, ServicePort>();
    for (const s of ports) distinct.set(`${s.port}/${s.protocol ?? ''}`, s);
    if (distinct.size === 1) {
      const s = [...distinct.values()][0];
      return { address: query.ip, port: s.port as number, protocol: proto ?? s.protocol };
    }
    if (distinct.size === 0)
      usage(`no rule in the dump names a port for ${query.ip}; give IP:PORT`);
    usage(
      `${query.ip} serves several ports: ${[...distinct.keys()].join(', ')}; give one (${query.ip}:PORT, --proto)`,
    );
  }
  if (query.namespace === null && !dest.includes('/'))
    usage(`"${escapeText(dest)}" is neither an address nor a service (ns/name[:port])`);
  let services = findServicePortsByName(model(), query.namespace, query.name, query.portName);
  if (protocol !== null)
    services = services.filter((s) => s.protocol === null || s.protocol === protocol);
  if (services.length === 0) usage(`no service port ${escapeText(dest)} in the dump`);
  if (services.length > 1)
    usage(
      `${escapeText(dest)} names ${services.length} service ports: ${listChoices(services)}; add :port or --proto`,
    );
  const s = services[0];
  if (s.clusterIP === null || s.port === null)
    usage(
      `the dump does not show the ClusterIP and port of ${describeService(s)}; trace its IP:PORT`,
    );
  return { address: s.clusterIP, port: s.port, protocol: protocol ?? s.protocol };
}

function parseIpsetMembers(entries: readonly string[]): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq <= 0) usage(`--ipset-member "${escapeText(e)}": expected SET=IP[,IP...]`);
    const name = e.slice(0, eq);
    const list = members.get(name) ?? [];
    for (const a of e
      .slice(eq + 1)
      .split(',')
      .filter((x) => x !== '')) {
      if (parseNet(a) === null)
        usage(`--ipset-member ${escapeText(name)}: "${escapeText(a)}" is not an address or CIDR`);
      list.push(a);
    }
    members.set(name, list);
  }
  return members;
}

function traceOptions(opts: TraceCommandOptions): TraceOptions {
  for (const ip of opts.nodeIp)
    if (parseIp(ip) === null) usage(`--node-ip "${escapeText(ip)}" is not an IP address`);
  for (const c of opts.podCidr)
    if (parseNet(c) === null) usage(`--pod-cidr "${escapeText(c)}" is not a CIDR`);
  return {
    nodeAddresses: opts.nodeIp,
    podCidrs: opts.podCidr,
    podInterface: opts.podIface,
    affinityHit: opts.affinityHit,
    ipsetMembers: parseIpsetMembers(opts.ipsetMember),
    unknownSetMembership: opts.assumeIpset,
    unknownMatch: opts.assumeUnknown,
  };
}

function parseMark(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    usage(`--mark "${escapeText(text)}" is not a 32-bit number`);
  return n;
}

export function runTrace(ruleset: Ruleset, dest: string, opts: TraceCommandOptions): string {
  let model: KubeModel | null = null;
  const kube = (): KubeModel => (model ??= buildKubeModel(ruleset));
  const destination = resolveDestination(dest, opts.proto ?? null, kube);
  if (opts.affinityHit !== undefined && parseServiceQuery(opts.affinityHit)?.kind !== 'address')
    usage(`--affinity-hit "${escapeText(opts.affinityHit)}": expected an endpoint IP or IP:PORT`);
  if (opts.src !== undefined && parseIp(opts.src) === null)
    usage(`--src "${escapeText(opts.src)}" is not an IP address`);
  const spec: PacketSpec = {
    destination: destination.address,
    destinationPort: destination.port,
    protocol: destination.protocol ?? 'tcp',
    origin: opts.from,
    source: opts.src,
    sourcePort: opts.sport !== undefined ? parsePort(opts.sport, '--sport') : undefined,
    inInterface: opts.inIface,
    outInterface: opts.outIface,
    mark: parseMark(opts.mark),
  };
  let result;
  try {
    result = tracePacket(ruleset, spec, traceOptions(opts));
  } catch (err) {
    if (err instanceof PacketError) usage(err.message);
    throw err;
  }
  // The Kubernetes view names outcomes best, but costs seconds on dumps of hundreds of thousands
  // of rules; there the rule comments name them instead (unless it was built for DEST anyway).
  if (model !== null || ruleset.ruleCount <= KUBE_LABEL_RULE_LIMIT) labelOutcomes(result, kube());
  else labelOutcomesFromComments(result);
  return opts.json ? stringifyInert(traceToJson(result)) + '\n' : renderTraceText(result);
}

export function registerTrace(program: Command): void {
  withInputOptions(
    program
      .command('trace')
      .argument('<dest>', 'IP:PORT, IP, [IPv6]:PORT, or a service ns/name[:port]')
      .argument('[file]', 'iptables-save output or a listing; - or nothing for standard input')
      .description(
        "follow a new flow's first packet through the node's rules as the kernel would: every branch with its probability, each outcome (DNAT, ACCEPT, DROP, REJECT), masquerade, and the assumptions made",
      )
      .addOption(
        new Option('--proto <proto>', "protocol (default tcp, or the service's)").choices([
          'tcp',
          'udp',
          'sctp',
        ]),
      )
      .addOption(
        new Option(
          '--from <origin>',
          'where the packet starts: a pod on this node, the node itself, or outside',
        ).choices(['pod', 'node', 'external']),
      )
      .option('--src <ip>', 'source address (default: fits --from)')
      .option('--sport <port>', 'source port (default 43210)')
      .option(
        '--in-iface <name>',
        'interface the packet arrives on (pod: the pod interface; external: eth0)',
      )
      .option(
        '--out-iface <name>',
        "the node's outside interface, where routes to non-local, non-pod addresses lead (default eth0)",
      )
      .option(
        '--node-ip <ip>',
        'an address of the node (repeatable); besides what the dump shows',
        collect,
        [],
      )
      .option(
        '--pod-cidr <cidr>',
        "this node's pod CIDR (repeatable): routed to the pod interface",
        collect,
        [],
      )
      .option('--pod-iface <name>', 'the interface pods sit behind (cni0, cbr0, ...)')
      .option(
        '--affinity-hit <endpoint>',
        'trace a returning client of a ClientIP-affinity service, stuck to this endpoint IP[:PORT]',
      )
      .option(
        '--ipset-member <set=ip>',
        'an ipset member (repeatable; SET=IP[,IP...]); ipset contents are not in a dump',
        collect,
        [],
      )
      .addOption(
        new Option(
          '--assume-ipset <how>',
          'how a set match on a set with no --ipset-member is evaluated (default no-match)',
        ).choices(['match', 'no-match']),
      )
      .addOption(
        new Option(
          '--assume-unknown <how>',
          'how a match the tool cannot evaluate is treated (default match)',
        ).choices(['match', 'no-match']),
      )
      .option('--mark <value>', 'the packet mark on entry (default 0)')
      .option('--json', 'print the result as JSON'),
  ).action(async (dest: string, file: string | undefined, opts: TraceCommandOptions) => {
    const ruleset = await loadRuleset(file, opts);
    process.stdout.write(runTrace(ruleset, dest, opts));
  });
}
