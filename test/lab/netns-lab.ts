/**
 * A throw-away lab of network namespaces that behaves like one Kubernetes node, for checking the
 * tracer against the real kernel:
 *
 *   client ns  eth0 192.168.77.20/24 (+ extra client addresses) ──veth── eth0 192.168.77.10/24
 *                                                                     node ns
 *   pod ns     eth0 <pod IP>/24 ──veth── vethN ─┐ cni0 10.244.1.1/24 (bridge)
 *   sink ns    eth0 (no address)  ──veth── remote0: 10.244.0.0/16 and the default route
 *
 * Local endpoints that are not real pods get permanent neighbour entries on cni0 with made-up
 * MAC addresses, so packets to them leave the node and vanish; remote endpoints and everything
 * else are routed through remote0 to a made-up neighbour in the sink namespace, which drops
 * frames that are not addressed to it. (No dummy device: not every kernel has one.) Nothing has
 * a route out of the machine: the namespaces are linked only to each other.
 *
 * Every namespace has a unique name (`kipt-<pid>-<n>-<role>`) and `destroy()` removes them all;
 * callers use try/finally and afterAll, and an exit hook removes leftovers.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Backend = 'nft' | 'legacy';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SENDER = path.join(HERE, 'sender.mjs');
const SCTP_SENDER = path.join(HERE, 'sctp-init.py');

/** A made-up next hop behind remote0: frames to it reach the sink namespace and are dropped. */
const SINK_GATEWAY = '169.254.77.1';

export const LAB = {
  nodeIp: '192.168.77.10',
  clientIp: '192.168.77.20',
  podCidr: '10.244.1.0/24',
  bridgeIp: '10.244.1.1',
  clusterCidr: '10.244.0.0/16',
} as const;

interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], input?: string, timeoutMs = 30_000): RunResult {
  const r = spawnSync(cmd, [...args], {
    input,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

function must(cmd: string, args: readonly string[], input?: string, timeoutMs?: number): string {
  const r = run(cmd, args, input, timeoutMs);
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.trim() || r.stdout.trim()}`,
    );
  return r.stdout;
}

function which(name: string): boolean {
  return run('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Why the kernel tests cannot run here, or null when they can. */
export function labUnavailableReason(
  backends: readonly Backend[] = ['nft', 'legacy'],
): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  for (const tool of ['ip', 'conntrack'])
    if (!which(tool))
      return `${tool} is not installed (apt-get install -y ${tool === 'ip' ? 'iproute2' : tool})`;
  for (const b of backends)
    for (const tool of [`iptables-${b}-restore`, `iptables-${b}-save`])
      if (!which(tool)) return `${tool} is not installed (apt-get install -y iptables)`;
  const probe = `kipt-probe-${process.pid}`;
  const add = run('ip', ['netns', 'add', probe]);
  if (add.status !== 0) return `cannot create network namespaces: ${add.stderr.trim()}`;
  run('ip', ['netns', 'del', probe]);
  return null;
}

export function sctpUnavailableReason(): string | null {
  if (!which('python3')) return 'python3 is not installed (needed to send raw SCTP INIT packets)';
  return null;
}

const live = new Set<string>();
let exitHookInstalled = false;
let counter = 0;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const ns of live) spawnSync('ip', ['netns', 'del', ns]);
  });
}

export interface Flow {
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
}

export interface SendResult {
  readonly source: string;
  readonly sourcePort: number;
  /** The socket error: ECONNREFUSED (an ICMP port unreachable: a REJECT), EPERM (a local drop), ... */
  readonly error: string | null;
}

export interface ConntrackEntry {
  readonly protocol: string;
  readonly original: { src: string; dst: string; sport: number; dport: number };
  readonly reply: { src: string; dst: string; sport: number; dport: number };
}

function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const proto = /^(\w+)\s/.exec(line)?.[1];
    if (proto === undefined) continue;
    const get = (key: string): string[] =>
      [...line.matchAll(new RegExp(`\\b${key}=(\\S+)`, 'g'))].map((m) => m[1]);
    const src = get('src');
    const dst = get('dst');
    const sport = get('sport');
    const dport = get('dport');
    if (src.length < 2 || dst.length < 2 || sport.length < 2 || dport.length < 2) continue;
    out.push({
      protocol: proto,
      original: { src: src[0], dst: dst[0], sport: Number(sport[0]), dport: Number(dport[0]) },
      reply: { src: src[1], dst: dst[1], sport: Number(sport[1]), dport: Number(dport[1]) },
    });
  }
  return out;
}

export interface LabPod {
  readonly ns: string;
  readonly ip: string;
}

export class NetnsLab {
  readonly id: string;
  readonly node: string;
  readonly client: string;
  readonly sink: string;
  private readonly namespaces: string[] = [];
  private readonly pods = new Map<string, LabPod>();
  private podCount = 0;

  private constructor(readonly backend: Backend) {
    this.id = `kipt-${process.pid.toString(36)}-${++counter}`;
    this.node = `${this.id}-node`;
    this.client = `${this.id}-client`;
    this.sink = `${this.id}-sink`;
  }

  /**
   * Builds the node and client namespaces. `clientAddresses` are extra source addresses for the
   * client (routed back to it from the node); `localAddresses` extra addresses of the node.
   */
  static create(
    backend: Backend,
    opts: { clientAddresses?: readonly string[]; localAddresses?: readonly string[] } = {},
  ): NetnsLab {
    installExitHook();
    const lab = new NetnsLab(backend);
    try {
      lab.build(opts.clientAddresses ?? [], opts.localAddresses ?? []);
    } catch (err) {
      lab.destroy();
      throw err;
    }
    return lab;
  }

  private addNamespace(name: string): void {
    must('ip', ['netns', 'add', name]);
    live.add(name);
    this.namespaces.push(name);
  }

  private batch(ns: string, commands: readonly string[]): void {
    if (commands.length > 0) must('ip', ['-n', ns, '-batch', '-'], commands.join('\n') + '\n');
  }

  private sysctl(ns: string, settings: Record<string, string>): void {
    const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
    must('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...args]);
  }

  private build(clientAddresses: readonly string[], localAddresses: readonly string[]): void {
    this.addNamespace(this.node);
    this.addNamespace(this.client);
    this.addNamespace(this.sink);
    must('ip', [
      '-n',
      this.node,
      'link',
      'add',
      'eth0',
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      this.client,
    ]);
    must('ip', [
      '-n',
      this.node,
      'link',
      'add',
      'remote0',
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      this.sink,
    ]);
    this.batch(this.sink, ['link set lo up', 'link set eth0 up']);
    this.batch(this.node, [
      'link set lo up',
      `addr add ${LAB.nodeIp}/24 dev eth0`,
      'link set eth0 up',
      'link add cni0 type bridge',
      `addr add ${LAB.bridgeIp}/24 dev cni0`,
      'link set cni0 up',
      'link set remote0 up',
      `neigh add ${SINK_GATEWAY} lladdr 02:6b:69:70:ff:01 dev remote0 nud permanent`,
      `route add ${LAB.clusterCidr} via ${SINK_GATEWAY} dev remote0 onlink`,
      `route add default via ${SINK_GATEWAY} dev remote0 onlink`,
      `route add 198.51.100.0/24 via ${LAB.clientIp} dev eth0`,
      `route add 203.0.113.0/24 via ${LAB.clientIp} dev eth0`,
      // Secondary addresses on eth0, like a VIP (kube-vip, MetalLB L2): not on lo, whose global
      // addresses MASQUERADE would pick first.
      ...localAddresses.map((a) => `addr add ${a}/32 dev eth0`),
    ]);
    this.batch(this.client, [
      'link set lo up',
      `addr add ${LAB.clientIp}/24 dev eth0`,
      ...clientAddresses.map((a) => `addr add ${a}/32 dev eth0`),
      'link set eth0 up',
      `route add default via ${LAB.nodeIp} dev eth0`,
    ]);
    const quiet = {
      'net.ipv4.icmp_ratelimit': '0',
      'net.ipv4.icmp_msgs_per_sec': '100000',
      'net.ipv4.icmp_msgs_burst': '100000',
    };
    this.sysctl(this.node, {
      ...quiet,
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.rp_filter': '0',
      'net.ipv4.conf.default.rp_filter': '0',
    });
    this.sysctl(this.client, quiet);
  }

  /** A pod namespace on the bridge with `ip` (and extra addresses on the same interface). */
  addPod(ip: string, extraAddresses: readonly string[] = []): LabPod {
    const existing = this.pods.get(ip);
    if (existing !== undefined) return existing;
    const n = ++this.podCount;
    const ns = `${this.id}-pod${n}`;
    this.addNamespace(ns);
    must('ip', [
      '-n',
      this.node,
      'link',
      'add',
      `veth${n}`,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      ns,
    ]);
    // Hairpin mode, as the CNI bridge plugin sets it (hairpinMode): a pod reaching itself through
    // its service gets its packets back out of the port they came in on.
    this.batch(this.node, [
      `link set veth${n} master cni0`,
      `link set veth${n} type bridge_slave hairpin on`,
      `link set veth${n} up`,
    ]);
    this.batch(ns, [
      'link set lo up',
      `addr add ${ip}/24 dev eth0`,
      ...extraAddresses.map((a) => `addr add ${a}/24 dev eth0`),
      'link set eth0 up',
      `route add default via ${LAB.bridgeIp} dev eth0`,
    ]);
    this.sysctl(ns, { 'net.ipv4.icmp_ratelimit': '0' });
    const pod = { ns, ip };
    this.pods.set(ip, pod);
    return pod;
  }

  /** Local endpoints that are not real pods: packets to them leave on cni0 and are lost. */
  addPhantomEndpoints(ips: readonly string[]): void {
    this.batch(
      this.node,
      ips
        .filter((ip) => !this.pods.has(ip))
        .map(
          (ip, i) =>
            `neigh replace ${ip} lladdr 02:6b:69:70:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')} dev cni0 nud permanent`,
        ),
    );
  }

  private tool(name: 'restore' | 'save'): string {
    return `iptables-${this.backend}-${name}`;
  }

  load(restoreText: string): void {
    must('ip', ['netns', 'exec', this.node, this.tool('restore')], restoreText);
  }

  save(): string {
    return must('ip', ['netns', 'exec', this.node, this.tool('save')]);
  }

  /** Sends one new flow per entry from namespace `ns` and returns what each socket saw. */
  send(ns: string, protocol: 'udp' | 'tcp', flows: readonly Flow[], waitMs: number): SendResult[] {
    const out = must(
      'ip',
      ['netns', 'exec', ns, process.execPath, SENDER],
      JSON.stringify({ protocol, waitMs, flows }),
      120_000,
    );
    return (JSON.parse(out) as { results: SendResult[] }).results;
  }

  /** SCTP INIT chunks from raw sockets (Node has no SCTP); python3 must exist. */
  sendSctp(ns: string, flows: readonly Flow[]): void {
    must('ip', ['netns', 'exec', ns, 'python3', SCTP_SENDER], JSON.stringify({ flows }), 60_000);
  }

  conntrack(): ConntrackEntry[] {
    const r = run('ip', ['netns', 'exec', this.node, 'conntrack', '-L']);
    if (r.status !== 0) throw new Error(`conntrack -L failed: ${r.stderr.trim()}`);
    return parseConntrack(r.stdout);
  }

  /** Forgets all flows: conntrack entries and the session-affinity (xt_recent) lists. */
  reset(): void {
    run('ip', ['netns', 'exec', this.node, 'conntrack', '-F']);
    const r = run('ip', [
      'netns',
      'exec',
      this.node,
      'sh',
      '-c',
      'ls /proc/net/xt_recent 2>/dev/null',
    ]);
    const lists = r.stdout.split('\n').filter((l) => l.trim() !== '');
    if (lists.length > 0)
      run('ip', [
        'netns',
        'exec',
        this.node,
        'sh',
        '-c',
        lists.map((l) => `echo / > /proc/net/xt_recent/${l}`).join('; '),
      ]);
  }

  destroy(): void {
    for (const ns of this.namespaces.reverse()) {
      run('ip', ['netns', 'del', ns]);
      live.delete(ns);
    }
    this.namespaces.length = 0;
  }
}

/** Leftover namespaces of this process (for a test asserting that cleanup happened). */
export function liveNamespaces(): readonly string[] {
  const all = run('ip', ['netns', 'list']).stdout;
  return [...live].filter((ns) => all.includes(ns));
}
