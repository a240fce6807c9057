/**
 * Reading the service name out of kube-proxy's comments. Comments only ever *label* things in
 * the Kubernetes view (they vanish in large clusters and change from era to era): the chain graph
 * decides what a rule does; this module only tells whose rule it is, and the chain hash confirms
 * it where it can.
 *
 * Every kube-proxy comment that names a service contains the svcPortName as one word:
 * `default/web:http cluster IP`, `default/web:http -> 10.244.1.5:8080`, `masquerade traffic for
 * default/web:http external destinations`, `default/nginx-svc: has no endpoints` (≤1.18 unnamed
 * port), `Balancing rule 0 for default/frontend:http`.
 */

export interface CommentName {
  readonly namespace: string;
  readonly name: string;
  /** '' for an unnamed port. */
  readonly portName: string;
  /** `ns/svc:` with an empty port name (kube-proxy ≤≈1.18). */
  readonly trailingColon: boolean;
  /** The svcPortName exactly as written (what kube-proxy hashed). */
  readonly text: string;
}

// Namespaces and names are DNS labels; port names are IANA service names (lower case, digits,
// hyphens). Upper case is accepted for hand-written rules.
const SVC_PORT_NAME =
  /^([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)(?::([-a-z0-9]*))?$/i;

// Thousands of rules repeat the same few comments; reading each text once matters on
// million-rule dumps. Bounded so a long-lived process (the TUI) does not grow without end.
const CACHE_LIMIT = 50_000;
const cache = new Map<string, CommentName | null>();

/** The svcPortName named by a comment, or null when the comment names none. */
export function serviceNameInComment(comment: string | null): CommentName | null {
  if (comment === null || !comment.includes('/')) return null;
  const cached = cache.get(comment);
  if (cached !== undefined) return cached;
  const found = readServiceName(comment);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(comment, found);
  return found;
}

function readServiceName(comment: string): CommentName | null {
  for (const word of comment.split(' ')) {
    if (!word.includes('/')) continue;
    const m = SVC_PORT_NAME.exec(word);
    if (m === null) continue;
    const portName = m[3] ?? '';
    return {
      namespace: m[1],
      name: m[2],
      portName,
      trailingColon: m[3] !== undefined && m[3] === '',
      text: word,
    };
  }
  return null;
}

/** The `ip:port` after `->` (1.24+ endpoint comments), or null. */
export function endpointInComment(comment: string | null): string | null {
  if (comment === null) return null;
  const arrow = comment.indexOf(' -> ');
  if (arrow === -1) return null;
  const rest = comment.slice(arrow + 4).trim();
  return rest === '' || rest.includes(' ') ? null : rest;
}

/** Service names every cluster has, used to recover comment-less chains by their hash. */
export const WELL_KNOWN_SERVICE_PORT_NAMES: readonly string[] = [
  'default/kubernetes:https',
  'kube-system/kube-dns:dns',
  'kube-system/kube-dns:dns-tcp',
  'kube-system/kube-dns:metrics',
  'kube-system/metrics-server:https',
  'kube-system/metrics-server',
  'kube-system/metrics-server:',
];
