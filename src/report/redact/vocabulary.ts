/**
 * What redaction may keep: names every Kubernetes cluster has, the fixed words of the comments
 * kube-proxy, kubelet and common CNI plugins write, and the fixed chain, interface and set names
 * of that software. Everything else that can carry a name is replaced.
 */

/** Namespaces that exist in every cluster. */
export const WELL_KNOWN_NAMESPACES: ReadonlySet<string> = new Set([
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
]);

/** Services (and their port names) that exist in every cluster, by `namespace/name`. */
export const WELL_KNOWN_SERVICES: ReadonlyMap<string, readonly string[]> = new Map([
  ['default/kubernetes', ['https']],
  ['kube-system/kube-dns', ['dns', 'dns-tcp', 'metrics']],
]);

export function isWellKnownService(namespace: string, name: string): boolean {
  return WELL_KNOWN_SERVICES.has(`${namespace}/${name}`);
}

export function isWellKnownPort(namespace: string, name: string, port: string): boolean {
  return WELL_KNOWN_SERVICES.get(`${namespace}/${name}`)?.includes(port) ?? false;
}

/**
 * Words of the fixed comment texts (kube-proxy in every era, kubelet, flannel, kindnet, Calico,
 * Cilium, kube-router). A comment is kept when every word that is not a service name, address or
 * chain name is one of these (compared in lower case, without surrounding punctuation).
 */
const COMMENT_TEXTS = [
  'kubernetes service portals',
  'kubernetes postrouting rules',
  'kubernetes service traffic requiring SNAT',
  'kubernetes forwarding rules',
  'kubernetes forwarding conntrack rule',
  'kubernetes forwarding conntrack pod source rule',
  'kubernetes forwarding conntrack pod destination rule',
  'kubernetes externally-visible service portals',
  'kubernetes health check service ports',
  'kubernetes health check rules',
  'kubernetes load balancer firewall',
  'block incoming localnet connections',
  'kubernetes firewall for dropping marked packets',
  'kubernetes service nodeports; NOTE: this must be the last rule in this chain',
  'cluster IP',
  'external IP',
  'loadbalancer IP',
  'has no endpoints',
  'has no local endpoints',
  'health check node port',
  'masquerade traffic for external destinations',
  'pod traffic for external destinations',
  'masquerade LOCAL traffic for external destinations',
  'route LOCAL traffic for external destinations',
  'other traffic to will be dropped by KUBE-PROXY-FIREWALL',
  'traffic not accepted by',
  'Redirect pods trying to reach external loadbalancer VIP to clusterIP',
  'masquerade LOCAL traffic for LB IP',
  'route LOCAL traffic for LB IP to service chain',
  'Balancing rule for',
  'nodePort for',
  'network policy',
  'flanneld masq',
  'flanneld forward',
  'kind-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom KIND-MASQ-AGENT chain',
  'kind-masq-agent: local traffic is not subject to MASQUERADE',
  'kind-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)',
  'Return if profile accepted',
  'Drop if no profiles matched',
  'Unknown interface',
  'Host endpoint policy accepted packet.',
  'Drop VXLAN encapped packets originating in workloads',
  'Policy explicitly accepted packet.',
  'Allow IPv4 VXLAN packets from allowed hosts',
  'Drop IPv4 VXLAN packets from non-allowed hosts',
  'Allow IPv6 VXLAN packets from allowed hosts',
  'Drop IPv6 VXLAN packets from non-allowed hosts',
  'Configured DefaultEndpointToHostAction',
  'Mark as loose RPF',
  'Kubernetes nodeport TCP port for masquerade purpose',
  'Kubernetes nodeport UDP port for masquerade purpose',
  'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose',
  'Kubernetes service cluster ip + port for masquerade purpose',
  'Kubernetes service external ip + port for masquerade and filter purpose',
  'Kubernetes service lb portal',
  'Kubernetes service load balancer ip + port for load balancer with sourceRange',
  'cilium: cluster->any on lxc+ forward accept (nodeport)',
  'cilium: any->pod redirect proxied traffic to host proxy',
  'cilium: any->cluster on cilium_host forward accept',
  'cilium: TPROXY to host cilium-dns-egress proxy',
  'cilium: NOTRACK for proxy traffic',
  'cilium: NOTRACK for proxy return traffic',
  'cilium-feeder:',
  'cilium: ACCEPT for proxy traffic',
  'cilium: ACCEPT for proxy return traffic',
  'cilium: ACCEPT for l7 proxy upstream traffic',
  'cilium: masq non-cluster traffic',
  'cilium: cluster->any forward accept',
  'cilium: cluster->any forward return',
  'cilium: any->cluster forward accept',
  'cilium host->cluster masquerade',
  'cilium host->cluster from 127.0.0.1 masquerade',
  'cilium: TPROXY to host cilium-dns-ingress proxy',
  'cilium: NOTRACK for pod traffic',
  '->',
];

function coreOf(word: string): string {
  return word
    .replace(/^[("'[]+/, '')
    .replace(/[)"'\],.;:!?]+$/, '')
    .toLowerCase();
}

export const COMMENT_VOCABULARY: ReadonlySet<string> = new Set(
  COMMENT_TEXTS.flatMap((t) => t.split(/\s+/).map(coreOf)).filter((w) => w !== ''),
);

/** A comment word without its surrounding punctuation, lower case. */
export function commentWordCore(word: string): string {
  return coreOf(word);
}

/** Interface names that name devices, not people, clusters or workloads. */
const GENERIC_INTERFACE =
  /^(lo|eth\d+|en[a-z0-9]+|wl[a-z0-9]+|bond\d+|docker\d+|cni\d+|cbr\d+|flannel\.\d+|flannel-wg|cilium_[a-z_]+|kube-ipvs0|kube-bridge|kube-dummy-if|weave|vxlan\.calico|vxlan-v6\.calico|tunl\d+|wg\d+|tun\d+|tap\d+|br\d+|virbr\d+|vxlan\d*|genev_sys_\d+|ovn-k8s-mp\d+|nodelocaldns|antrea-gw\d+|cali|veth|lxc|eth|en|cni|docker|kind|br-|vxlan)(\.\d+)?\+?$/;

export function isGenericInterface(name: string): boolean {
  return GENERIC_INTERFACE.test(name) || name === '+';
}

/** Chain names of software that writes fixed names (upper case with a known prefix). */
const FIXED_CHAIN =
  /^(KUBE-|DOCKER|FLANNEL|KIND-|CILIUM_|OLD_CILIUM_|WEAVE|ANTREA|CNI-|ISTIO_|LIBVIRT_|NETAVARK|KUBE_|POD-|ufw|ufw6)[A-Za-z0-9_-]*$/;
/** Calico's fixed chains: `cali-` and words, no interface or hash suffix. */
const CALICO_CHAIN = /^cali-[a-zA-Z]+(-[a-zA-Z]+)*$/;

export function isFixedChainName(name: string): boolean {
  return FIXED_CHAIN.test(name) || CALICO_CHAIN.test(name);
}

/** ipset names written by kube-proxy (IPVS mode) and Calico's fixed sets. */
const FIXED_SET =
  /^(KUBE-[A-Z0-9-]+|cali[46]0(all-ipam-pools|masq-ipam-pools|all-hosts-net|this-host|all-vxlan-net|all-tunnel-net))$/;

export function isFixedSetName(name: string): boolean {
  return FIXED_SET.test(name);
}

const FIXED_NFACCT: ReadonlySet<string> = new Set([
  'localhost_nps_accepted_pkts',
  'ct_state_invalid_dropped_pkts',
]);

export function isFixedNfacctName(name: string): boolean {
  return FIXED_NFACCT.has(name);
}
