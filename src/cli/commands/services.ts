/** `k8s-ipt services [FILE]` (alias `svc`): one row per service port kube-proxy's rules encode. */
import { Option, type Command } from 'commander';
import { buildKubeModel } from '../../kube/build.js';
import { canonicalIp, globToRegExp } from '../../kube/lookup.js';
import type { ServicePort } from '../../kube/model.js';
import { stringifyInert } from '../../render/json.js';
import { kubeModelToJson } from '../../render/services-json.js';
import { renderServicesTable } from '../../render/services-table.js';
import { parseIp } from '../../model/ip.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { loadRuleset, withInputOptions, type InputOptions } from '../input.js';

export const SERVICE_SORT_KEYS = [
  'name',
  'namespace',
  'ip',
  'type',
  'endpoints',
  'nodeport',
  'traffic',
  'dump',
] as const;
type SortKey = (typeof SERVICE_SORT_KEYS)[number];

interface ServicesOptions extends InputOptions {
  namespace?: string;
  name?: string;
  ip?: string;
  sort?: SortKey;
  wide?: boolean;
  json?: boolean;
}

/** Numeric order of addresses (IPv4 before IPv6), unknown last. */
function ipOrder(ip: string | null): bigint {
  if (ip === null) return 1n << 130n;
  const p = parseIp(ip);
  if (p === null) return 1n << 130n;
  return p.family === 4 ? p.value : (1n << 32n) + p.value;
}

/** Plain code-point order: stable across locales (localeCompare ignores hyphens in some). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBy(key: SortKey): ((a: ServicePort, b: ServicePort) => number) | null {
  const label = (s: ServicePort): string => s.identity.label;
  const byName = (a: ServicePort, b: ServicePort): number =>
    cmp(a.identity.name ?? '\uffff', b.identity.name ?? '\uffff') ||
    cmp(a.identity.namespace ?? '', b.identity.namespace ?? '') ||
    cmp(label(a), label(b));
  switch (key) {
    case 'dump':
      return null;
    case 'name':
      return byName;
    case 'namespace':
      return (a, b) =>
        cmp(a.identity.namespace ?? '\uffff', b.identity.namespace ?? '\uffff') || byName(a, b);
    case 'ip':
      return (a, b) => {
        const d = ipOrder(a.clusterIP) - ipOrder(b.clusterIP);
        return d < 0n ? -1 : d > 0n ? 1 : (a.port ?? 0) - (b.port ?? 0) || byName(a, b);
      };
    case 'type':
      return (a, b) => cmp(a.type, b.type) || byName(a, b);
    case 'endpoints':
      return (a, b) => b.endpoints.length - a.endpoints.length || byName(a, b);
    case 'nodeport':
      return (a, b) => (a.nodePorts[0] ?? 1e6) - (b.nodePorts[0] ?? 1e6) || byName(a, b);
    case 'traffic':
      return (a, b) => (b.traffic?.packets ?? -1) - (a.traffic?.packets ?? -1) || byName(a, b);
  }
}

/** Applies --namespace, --name (globs) and --ip. */
export function filterServices(
  services: readonly ServicePort[],
  opts: ServicesOptions,
): ServicePort[] {
  const ns = opts.namespace === undefined ? null : globToRegExp(opts.namespace);
  const name = opts.name === undefined ? null : globToRegExp(opts.name);
  let ip: string | null = null;
  if (opts.ip !== undefined) {
    if (parseIp(opts.ip) === null)
      throw new CliError(`--ip ${opts.ip}: not an IP address`, EXIT_USAGE);
    ip = canonicalIp(opts.ip);
  }
  return services.filter((s) => {
    const id = s.identity;
    if (ns !== null && (id.namespace === null || !ns.test(id.namespace))) return false;
    if (name !== null) {
      const full = id.namespace === null || id.name === null ? null : `${id.namespace}/${id.name}`;
      if (id.name === null || !(name.test(id.name) || (full !== null && name.test(full))))
        return false;
    }
    if (ip !== null) {
      const addresses = [
        s.clusterIP,
        ...s.externalIPs,
        ...s.loadBalancerIPs,
        ...s.endpoints.map((e) => e.ip),
      ];
      if (!addresses.some((a) => a !== null && a === ip)) return false;
    }
    return true;
  });
}

export function registerServices(program: Command): void {
  withInputOptions(
    program
      .command('services')
      .alias('svc')
      .argument('[file]', 'iptables-save output or a listing; - or nothing for standard input')
      .description(
        'list the service ports in kube-proxy rules: addresses, ports, endpoints, affinity, traffic policies',
      )
      .option('--namespace <glob>', 'only services in matching namespaces')
      .option('--name <glob>', 'only services whose name (or namespace/name) matches')
      .option(
        '--ip <address>',
        'only services with this ClusterIP, external, LoadBalancer or endpoint address',
      )
      .addOption(
        new Option('--sort <key>', 'order of the rows')
          .choices([...SERVICE_SORT_KEYS])
          .default('name'),
      )
      .option(
        '--wide',
        'more columns: chain, new connections, source ranges, health check port, warnings',
      )
      .option('--json', 'print the services as JSON (shape in the README)'),
  ).action(async (file: string | undefined, opts: ServicesOptions) => {
    const ruleset = await loadRuleset(file, opts);
    const model = buildKubeModel(ruleset);
    const selected = filterServices(model.services, opts);
    const compare = compareBy(opts.sort ?? 'name');
    if (compare !== null) selected.sort(compare);
    if (opts.json) {
      process.stdout.write(stringifyInert(kubeModelToJson(model, selected)) + '\n');
      return;
    }
    const filtered =
      opts.namespace !== undefined || opts.name !== undefined || opts.ip !== undefined;
    process.stdout.write(
      renderServicesTable(model, selected, { wide: opts.wide === true, filtered }),
    );
  });
}
