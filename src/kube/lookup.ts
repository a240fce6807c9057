/**
 * Finding service ports in a built KubeModel: by `ns/name[:port]` (globs allowed in the name
 * parts), by `IP[:PORT][/proto]` (ClusterIP, external IP, LB IP, NodePort, then endpoint
 * address), or by the name of one of their chains.
 */
import { formatIp, parseIp } from '../model/ip.js';
import type { ChainRole, KubeModel, ServicePort, ServiceProtocol, ServiceQuery } from './model.js';

const PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'sctp']);

/** Converts a shell-style glob (`*`, `?`) to an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const c of glob) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function splitProtocol(text: string): { rest: string; protocol: ServiceProtocol | null } {
  const slash = text.lastIndexOf('/');
  if (slash > 0) {
    const p = text.slice(slash + 1).toLowerCase();
    if (PROTOCOLS.has(p)) return { rest: text.slice(0, slash), protocol: p as ServiceProtocol };
  }
  return { rest: text, protocol: null };
}

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n <= 65535 ? n : null;
}

/** Reads what a user typed: an address, a chain name, or `ns/name[:port]`. Null if empty. */
export function parseServiceQuery(text: string): ServiceQuery | null {
  const t = text.trim();
  if (t === '') return null;
  if (/^KUBE-(SVC|SVL|EXT|FW|XLB|SEP)-[A-Z2-7]+$/.test(t)) return { kind: 'chain', chain: t };

  const { rest, protocol } = splitProtocol(t);
  // [v6]:port
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket !== null && parseIp(bracket[1]) !== null) {
    const port = bracket[2] === undefined ? null : parsePort(bracket[2]);
    return { kind: 'address', ip: canonicalIp(bracket[1]), port, protocol };
  }
  if (parseIp(rest) !== null)
    return { kind: 'address', ip: canonicalIp(rest), port: null, protocol };
  const colon = rest.lastIndexOf(':');
  if (colon > 0 && parseIp(rest.slice(0, colon)) !== null) {
    const port = parsePort(rest.slice(colon + 1));
    if (port !== null) {
      return { kind: 'address', ip: canonicalIp(rest.slice(0, colon)), port, protocol };
    }
  }

  // ns/name[:port] or name[:port]
  const nameText = t;
  const slash = nameText.indexOf('/');
  const namespace = slash === -1 ? null : nameText.slice(0, slash);
  const afterNs = slash === -1 ? nameText : nameText.slice(slash + 1);
  const c = afterNs.indexOf(':');
  const name = c === -1 ? afterNs : afterNs.slice(0, c);
  const portName = c === -1 ? null : afterNs.slice(c + 1);
  if (name === '') return null;
  return { kind: 'name', namespace, name, portName };
}

/** Address text in one spelling, so `fd00:0::1` finds `fd00::1`. */
export function canonicalIp(text: string): string {
  const ip = parseIp(text);
  return ip === null ? text : formatIp(ip.family, ip.value);
}

function sameIp(a: string | null, b: string): boolean {
  if (a === null) return false;
  if (a === b) return true;
  return canonicalIp(a) === b;
}

/**
 * Service ports whose name matches. `name` and `namespace` may be globs; a null namespace
 * matches any; a null portName matches every port of the service; `''` matches unnamed ports.
 */
export function findServicePortsByName(
  model: KubeModel,
  namespace: string | null,
  name: string,
  portName: string | null,
): ServicePort[] {
  const nsRe = namespace === null ? null : globToRegExp(namespace);
  const nameRe = globToRegExp(name);
  const portRe = portName === null ? null : globToRegExp(portName);
  return model.services.filter((s) => {
    const id = s.identity;
    if (id.name === null || !nameRe.test(id.name)) return false;
    if (nsRe !== null && (id.namespace === null || !nsRe.test(id.namespace))) return false;
    if (portRe !== null) {
      if (id.portName === null) return false;
      // A port given as a number also matches the service port number.
      if (!portRe.test(id.portName) && !(portName !== null && String(s.port) === portName)) {
        return false;
      }
    }
    return true;
  });
}

/**
 * Service ports reachable at `ip[:port]`: ClusterIP, external IPs, LB IPs; a port alone that is
 * a NodePort matches when the address is not a service address (any node address reaches it).
 * When nothing matches, endpoints with that address are looked up instead.
 */
export function findServicePortsByAddress(
  model: KubeModel,
  ip: string,
  port: number | null,
  protocol: ServiceProtocol | null,
): ServicePort[] {
  const want = canonicalIp(ip);
  const protoOk = (s: ServicePort): boolean =>
    protocol === null || s.protocol === null || s.protocol === protocol;
  const portOk = (s: ServicePort): boolean => port === null || s.port === null || s.port === port;
  const byServiceAddress = model.services.filter(
    (s) =>
      protoOk(s) &&
      portOk(s) &&
      (sameIp(s.clusterIP, want) ||
        s.externalIPs.some((x) => sameIp(x, want)) ||
        s.loadBalancerIPs.some((x) => sameIp(x, want))),
  );
  if (byServiceAddress.length > 0) return byServiceAddress;
  if (port !== null) {
    const byNodePort = model.services.filter((s) => protoOk(s) && s.nodePorts.includes(port));
    if (byNodePort.length > 0) return byNodePort;
  }
  return model.services.filter(
    (s) =>
      protoOk(s) &&
      s.endpoints.some((e) => sameIp(e.ip, want) && (port === null || e.port === port)),
  );
}

/** Everything `findServicePorts` understands, from text a user typed. */
export function findServicePorts(model: KubeModel, query: string): ServicePort[] {
  const q = parseServiceQuery(query);
  if (q === null) return [];
  switch (q.kind) {
    case 'chain': {
      const out: ServicePort[] = [];
      for (const role of model.chainRoles.values()) {
        if (role.chain === q.chain && role.service !== null && !out.includes(role.service)) {
          out.push(role.service);
        }
      }
      return out;
    }
    case 'address':
      return findServicePortsByAddress(model, q.ip, q.port, q.protocol);
    case 'name': {
      const exact = findServicePortsByName(model, q.namespace, q.name, q.portName);
      if (exact.length > 0 || q.portName !== null) return exact;
      // `ns/name` with unnamed port written `ns/name:` also lands here; nothing more to try.
      return exact;
    }
  }
}

/** The role of `table/chain` in the Kubernetes view, or null for chains it does not know. */
export function chainRole(model: KubeModel, table: string, chain: string): ChainRole | null {
  return model.chainRoles.get(`${table}/${chain}`) ?? null;
}
