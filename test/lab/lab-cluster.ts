/**
 * The services the kernel lab loads, described for the fixtures engineer's generator
 * (fixtures/build/kube-proxy-rules.mjs), with the lab's addresses: one cluster per kube-proxy
 * era, every situation the differential tests need. Also the cases: which flows to send, from
 * where, and what to compare.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers.js';
import { LAB } from './netns-lab.js';

interface GeneratorEndpoint {
  ip: string;
  local?: boolean;
}

interface GeneratorService {
  namespace: string;
  name: string;
  clusterIP: string;
  ports: {
    name?: string;
    port: number;
    protocol: 'TCP' | 'UDP' | 'SCTP';
    targetPort?: number;
    nodePort?: number;
  }[];
  endpoints?: GeneratorEndpoint[];
  externalIPs?: string[];
  loadBalancerIPs?: string[];
  loadBalancerSourceRanges?: string[];
  sessionAffinityTimeout?: number;
  externalTrafficPolicy?: 'Cluster' | 'Local';
  internalTrafficPolicy?: 'Cluster' | 'Local';
  healthCheckNodePort?: number;
}

interface GeneratorModule {
  buildRuleSet(cluster: unknown, opts?: { counters?: boolean }): unknown;
  renderRestore(rs: unknown, opts?: { counters?: boolean }): string;
}

export type Era = '1.23' | '1.28';

/** The hairpin pod: a real pod namespace whose address is an endpoint of lab/three. */
export const HAIRPIN_POD = '10.244.1.31';
/** A pod that is no endpoint: the usual source of pod traffic. */
export const CLIENT_POD = '10.244.1.50';
/** Extra addresses of the client pod for session affinity (each is a new client). */
export const AFFINITY_CLIENTS = Array.from({ length: 90 }, (_, i) => `10.244.1.${100 + i}`);
export const ALLOWED_CLIENT = '198.51.100.20';
export const BLOCKED_CLIENT = '198.51.100.200';
/** An LB IP that is assigned to the node (§13.1: drop marks then act in INPUT). */
export const LOCAL_LB_IP = '203.0.113.80';

const ep = (ip: string, local = false): GeneratorEndpoint => ({ ip, local });
const udp = (port: number, extra: { nodePort?: number; targetPort?: number } = {}) => ({
  name: 'p',
  port,
  protocol: 'UDP' as const,
  targetPort: extra.targetPort ?? 8080,
  nodePort: extra.nodePort,
});

export function labServices(): GeneratorService[] {
  return [
    {
      namespace: 'lab',
      name: 'one',
      clusterIP: '10.96.1.1',
      ports: [udp(80)],
      endpoints: [ep('10.244.2.11')],
    },
    {
      namespace: 'lab',
      name: 'two',
      clusterIP: '10.96.1.2',
      ports: [udp(80)],
      endpoints: [ep('10.244.1.21', true), ep('10.244.2.22')],
    },
    {
      namespace: 'lab',
      name: 'three',
      clusterIP: '10.96.1.3',
      ports: [udp(80)],
      endpoints: [ep(HAIRPIN_POD, true), ep('10.244.1.32', true), ep('10.244.2.33')],
    },
    {
      // TCP and SCTP: no real pod among the endpoints, whose RST would delete the conntrack
      // entry of the SYN it answers.
      namespace: 'lab',
      name: 'multi',
      clusterIP: '10.96.1.4',
      ports: [
        { name: 't', port: 80, protocol: 'TCP', targetPort: 8080 },
        { name: 's', port: 80, protocol: 'SCTP', targetPort: 8080 },
      ],
      endpoints: [ep('10.244.1.34', true), ep('10.244.1.35', true), ep('10.244.2.36')],
    },
    {
      namespace: 'lab',
      name: 'seven',
      clusterIP: '10.96.1.7',
      ports: [udp(80)],
      endpoints: [
        ep('10.244.1.71', true),
        ep('10.244.1.72', true),
        ep('10.244.2.73'),
        ep('10.244.2.74'),
        ep('10.244.3.75'),
        ep('10.244.3.76'),
        ep('10.244.3.77'),
      ],
    },
    {
      namespace: 'lab',
      name: 'sticky',
      clusterIP: '10.96.1.8',
      ports: [udp(80)],
      sessionAffinityTimeout: 10800,
      endpoints: [ep('10.244.1.81', true), ep('10.244.2.82'), ep('10.244.3.83')],
    },
    {
      namespace: 'lab',
      name: 'empty',
      clusterIP: '10.96.1.9',
      ports: [udp(80, { nodePort: 30909 })],
      endpoints: [],
    },
    {
      namespace: 'lab',
      name: 'np',
      clusterIP: '10.96.2.1',
      ports: [udp(80, { nodePort: 30001 })],
      endpoints: [ep('10.244.1.11', true), ep('10.244.2.12')],
    },
    {
      namespace: 'lab',
      name: 'np-local',
      clusterIP: '10.96.2.2',
      ports: [udp(80, { nodePort: 30002 })],
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 32002,
      endpoints: [ep('10.244.1.13', true), ep('10.244.1.14', true), ep('10.244.2.15')],
    },
    {
      namespace: 'lab',
      name: 'np-local-none',
      clusterIP: '10.96.2.3',
      ports: [udp(80, { nodePort: 30003 })],
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 32003,
      endpoints: [ep('10.244.2.16'), ep('10.244.3.17')],
    },
    {
      namespace: 'lab',
      name: 'lb',
      clusterIP: '10.96.2.4',
      ports: [udp(80, { nodePort: 30004 })],
      loadBalancerIPs: ['203.0.113.50'],
      loadBalancerSourceRanges: ['198.51.100.0/25'],
      endpoints: [ep('10.244.1.18', true), ep('10.244.2.19')],
    },
    {
      namespace: 'lab',
      name: 'lb-local',
      clusterIP: '10.96.2.9',
      ports: [udp(80, { nodePort: 30009 })],
      loadBalancerIPs: [LOCAL_LB_IP],
      loadBalancerSourceRanges: ['198.51.100.0/25'],
      endpoints: [ep('10.244.1.91', true), ep('10.244.2.92')],
    },
    {
      namespace: 'lab',
      name: 'ext',
      clusterIP: '10.96.2.5',
      ports: [udp(80)],
      externalIPs: ['192.0.2.60'],
      endpoints: [ep('10.244.1.51', true), ep('10.244.2.52')],
    },
    {
      namespace: 'lab',
      name: 'itp',
      clusterIP: '10.96.2.6',
      ports: [udp(80)],
      internalTrafficPolicy: 'Local',
      endpoints: [ep('10.244.1.61', true), ep('10.244.2.62'), ep('10.244.3.63')],
    },
    {
      namespace: 'lab',
      name: 'itp-none',
      clusterIP: '10.96.2.7',
      ports: [udp(80)],
      internalTrafficPolicy: 'Local',
      endpoints: [ep('10.244.2.64'), ep('10.244.3.65')],
    },
    {
      namespace: 'lab',
      name: 'hostnet',
      clusterIP: '10.96.2.8',
      ports: [udp(9100, { nodePort: 30008, targetPort: 9100 })],
      endpoints: [ep(LAB.nodeIp, true)],
    },
  ];
}

export function labCluster(era: Era): Record<string, unknown> {
  return {
    name: `k8s-ipt-lab-${era}`,
    era,
    nodeIP: LAB.nodeIp,
    clusterCIDR: LAB.clusterCidr,
    nodePodCIDR: LAB.podCidr,
    cni: [],
    counters: false,
    services: labServices(),
  };
}

/** Local endpoint addresses that are no real pod: they get phantom neighbour entries. */
export function phantomEndpoints(): string[] {
  const out: string[] = [];
  for (const s of labServices())
    for (const e of s.endpoints ?? [])
      if (e.local === true && e.ip.startsWith('10.244.1.') && e.ip !== HAIRPIN_POD) out.push(e.ip);
  return out;
}

/** iptables-restore input for the lab in one era, from the fixtures generator. */
export async function labRestoreInput(era: Era): Promise<string> {
  const url = pathToFileURL(path.join(ROOT, 'fixtures/build/kube-proxy-rules.mjs')).href;
  const gen = (await import(url)) as GeneratorModule;
  return gen.renderRestore(gen.buildRuleSet(labCluster(era), { counters: false }), {
    counters: false,
  });
}

// ---------------------------------------------------------------------------------------------
// Cases

export type Sender = 'client-pod' | 'hairpin-pod' | 'node' | 'client';

export interface LabCase {
  readonly name: string;
  readonly sender: Sender;
  readonly origin: 'pod' | 'node' | 'external';
  readonly protocol: 'udp' | 'tcp' | 'sctp';
  readonly source: string;
  readonly destination: string;
  readonly port: number;
  readonly flows: number;
  /** Check the Kubernetes model's endpoint probabilities against the kernel too. */
  readonly kubeCheck?: boolean;
  readonly eras?: readonly Era[];
}

const podCase = (
  name: string,
  destination: string,
  port: number,
  flows: number,
  kubeCheck = false,
): LabCase => ({
  name,
  sender: 'client-pod',
  origin: 'pod',
  protocol: 'udp',
  source: CLIENT_POD,
  destination,
  port,
  flows,
  kubeCheck,
});

const externalCase = (
  name: string,
  destination: string,
  port: number,
  flows: number,
  source: string = LAB.clientIp,
): LabCase => ({
  name,
  sender: 'client',
  origin: 'external',
  protocol: 'udp',
  source,
  destination,
  port,
  flows,
});

export const LAB_CASES: readonly LabCase[] = [
  podCase('ClusterIP, 1 endpoint', '10.96.1.1', 80, 200, true),
  podCase('ClusterIP, 2 endpoints', '10.96.1.2', 80, 600, true),
  podCase('ClusterIP, 3 endpoints', '10.96.1.3', 80, 900, true),
  podCase('ClusterIP, 7 endpoints', '10.96.1.7', 80, 1400, true),
  { ...podCase('ClusterIP, 3 endpoints, TCP', '10.96.1.4', 80, 60), protocol: 'tcp' },
  { ...podCase('ClusterIP, 3 endpoints, SCTP', '10.96.1.4', 80, 60), protocol: 'sctp' },
  podCase('no endpoints: REJECT', '10.96.1.9', 80, 40),
  externalCase('no endpoints, NodePort from outside: REJECT', LAB.nodeIp, 30909, 40),
  externalCase('NodePort from outside (eTP=Cluster)', LAB.nodeIp, 30001, 600),
  externalCase('NodePort eTP=Local with local endpoints', LAB.nodeIp, 30002, 600),
  externalCase('NodePort eTP=Local without local endpoints: DROP', LAB.nodeIp, 30003, 40),
  externalCase('LoadBalancer, client inside sourceRanges', '203.0.113.50', 80, 600, ALLOWED_CLIENT),
  externalCase('LoadBalancer, client outside sourceRanges', '203.0.113.50', 80, 40, BLOCKED_CLIENT),
  externalCase(
    'LoadBalancer IP local to the node, client outside sourceRanges',
    LOCAL_LB_IP,
    80,
    40,
    BLOCKED_CLIENT,
  ),
  externalCase('external IP from outside', '192.0.2.60', 80, 600),
  podCase('external IP from a pod', '192.0.2.60', 80, 600),
  podCase('internalTrafficPolicy=Local with a local endpoint', '10.96.2.6', 80, 200),
  podCase('internalTrafficPolicy=Local without local endpoints', '10.96.2.7', 80, 40),
  {
    ...podCase('hairpin: an endpoint pod calls its own service', '10.96.1.3', 80, 900),
    sender: 'hairpin-pod',
    source: HAIRPIN_POD,
  },
  {
    ...podCase('node to ClusterIP', '10.96.1.3', 80, 900),
    sender: 'node',
    origin: 'node',
    source: LAB.nodeIp,
  },
  {
    ...podCase('node to ClusterIP whose endpoint is the node (via lo)', '10.96.2.8', 9100, 60),
    sender: 'node',
    origin: 'node',
    source: LAB.nodeIp,
  },
  externalCase(
    'NodePort to a hostNetwork endpoint: marked, not masqueraded',
    LAB.nodeIp,
    30008,
    60,
  ),
];
