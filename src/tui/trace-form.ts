/**
 * The trace screen's form: the destination as typed (`IP:PORT`, `[IPv6]:PORT`), where the packet
 * comes from and its protocol, and how a service fills it in.
 */
import type { KubeModel, ServicePort } from '../kube/model.js';
import { parseIp } from '../model/ip.js';
import type { PacketOrigin, TraceProtocol } from '../trace/types.js';
import type { TraceRequest } from './screen.js';
import { joinHostPort } from './service-facts.js';

export const ORIGINS: readonly PacketOrigin[] = ['pod', 'node', 'external'];
export const PROTOCOLS: readonly TraceProtocol[] = ['tcp', 'udp', 'sctp'];

export const DESTINATION_EXAMPLE = 'type IP:PORT, for example 10.96.0.10:80 or [fd00::10]:80';

function port(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

/** Reads `IP:PORT`; returns a message for people when it is not one. */
export function readDestination(
  text: string,
): { readonly ip: string; readonly port: number } | { readonly error: string } {
  const t = text.trim();
  if (t === '') return { error: DESTINATION_EXAMPLE };
  const bracket = /^\[([^\]]+)\]:(\d+)$/.exec(t);
  let ipText: string;
  let portText: string;
  if (bracket !== null) {
    ipText = bracket[1];
    portText = bracket[2];
  } else {
    const colon = t.lastIndexOf(':');
    if (colon < 0 || t.indexOf(':') !== colon) {
      return {
        error:
          parseIp(t) !== null ? `${t}: add the port (${DESTINATION_EXAMPLE})` : DESTINATION_EXAMPLE,
      };
    }
    ipText = t.slice(0, colon);
    portText = t.slice(colon + 1);
  }
  if (parseIp(ipText) === null)
    return { error: `${ipText} is not an IP address; ${DESTINATION_EXAMPLE}` };
  const p = port(portText);
  if (p === null) return { error: `${portText} is not a port (1-65535)` };
  return { ip: ipText, port: p };
}

export function toRequest(
  destination: string,
  origin: PacketOrigin,
  protocol: TraceProtocol,
): TraceRequest | { readonly error: string } {
  const d = readDestination(destination);
  if ('error' in d) return d;
  return { destination: d.ip, destinationPort: d.port, origin, protocol };
}

/** Where to send a packet to reach a service: its ClusterIP, else an external or LB IP, else a NodePort on the node. */
export function serviceDestination(service: ServicePort, model: KubeModel): string {
  const port = service.port;
  if (port !== null) {
    const ip = service.clusterIP ?? service.externalIPs[0] ?? service.loadBalancerIPs[0] ?? null;
    if (ip !== null) return joinHostPort(ip, port);
  }
  const nodePort = service.nodePorts[0];
  const node = model.nodeAddresses[0]?.ip;
  if (nodePort !== undefined && node !== undefined) return joinHostPort(node, nodePort);
  return '';
}

/** The next (step 1) or previous (step -1) value of a cycle. */
export function cycle<T>(values: readonly T[], current: T, step: 1 | -1): T {
  const i = values.indexOf(current);
  return values[(i + step + values.length) % values.length];
}
