/**
 * The fixture clusters' own descriptions (fixtures/build/clusters.mjs), which the fixtures were
 * generated from: the ground truth the Kubernetes view must read back from the saved rules.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES } from '../helpers.js';

export interface ClusterPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: string;
  readonly nodePort?: number;
  readonly targetPort?: number;
}

export interface ClusterEndpoint {
  readonly ip: string;
  readonly local?: boolean;
  readonly ready?: boolean;
}

export interface ClusterService {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP: string;
  readonly ports: readonly ClusterPort[];
  readonly endpoints?: readonly ClusterEndpoint[];
  readonly externalIPs?: readonly string[];
  readonly loadBalancerIPs?: readonly string[];
  readonly loadBalancerSourceRanges?: readonly string[];
  readonly sessionAffinityTimeout?: number;
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  readonly internalTrafficPolicy?: 'Cluster' | 'Local';
  readonly healthCheckNodePort?: number;
}

export interface ClusterDescription {
  readonly name: string;
  readonly era: string;
  readonly mode?: 'iptables' | 'ipvs';
  readonly family?: 4 | 6;
  readonly nodeIP: string;
  readonly clusterCIDR: string;
  /** The rules carry the nfacct matches kube-proxy writes since ≈1.30 (on a 1.28 layout). */
  readonly nfacct?: boolean;
  readonly services: readonly ClusterService[];
}

export async function loadClusters(): Promise<readonly ClusterDescription[]> {
  const url = pathToFileURL(path.join(FIXTURES, 'build', 'clusters.mjs')).href;
  const mod = (await import(url)) as { clusters: ClusterDescription[] };
  return mod.clusters;
}

/** One expected service port, as the rules should show it. */
export interface ExpectedPort {
  readonly label: string;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly service: ClusterService;
  readonly port: ClusterPort;
  /** `ip:targetPort` of the endpoints kube-proxy writes a SEP for, in rule order. */
  readonly endpoints: readonly string[];
  readonly localEndpoints: readonly string[];
}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** String order of `ip:port`, as kube-proxy sorts endpoints (doc §3). */
function byEndpointText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function expectedPorts(cluster: ClusterDescription): ExpectedPort[] {
  const out: ExpectedPort[] = [];
  for (const svc of cluster.services) {
    for (const port of svc.ports) {
      const label = `${svc.namespace}/${svc.name}${port.name ? `:${port.name}` : ''}`;
      const ready = (svc.endpoints ?? []).filter((e) => e.ready !== false);
      const target = port.targetPort ?? port.port;
      const all = ready.map((e) => joinHostPort(e.ip, target)).sort(byEndpointText);
      const local = ready
        .filter((e) => e.local === true)
        .map((e) => joinHostPort(e.ip, target))
        .sort(byEndpointText);
      out.push({
        label,
        protocol: (port.protocol ?? 'TCP').toLowerCase() as ExpectedPort['protocol'],
        service: svc,
        port,
        endpoints: all,
        localEndpoints: local,
      });
    }
  }
  return out;
}

/** `1.23` → 23. */
export function eraMinor(era: string): number {
  return Number(era.split('.')[1]);
}
