/**
 * Small readers of one rule's shape: its destination tuple, its source condition, what it jumps
 * to, which matches make it conditional. The Kubernetes view is built from these, never from
 * comment text.
 */
import { formatIp, type IpNet } from '../model/ip.js';
import type { Match, PortMatch } from '../model/matches.js';
import type { AddressMatch, Rule } from '../model/rule.js';
import type { ServiceProtocol, SourceCondition } from './model.js';

const PROTOCOL_NUMBERS: Readonly<Record<string, ServiceProtocol>> = {
  '6': 'tcp',
  '17': 'udp',
  '132': 'sctp',
};

function hostBits(net: IpNet): number {
  return net.family === 4 ? 32 : 128;
}

/** The single host address of a non-negated `-s`/`-d`, without prefix; null otherwise. */
export function hostAddress(address: AddressMatch | null): string | null {
  if (address === null || address.negated) return null;
  const net = address.net;
  if (net === null || net.prefix !== hostBits(net)) return null;
  return formatIp(net.family, net.address);
}

/** `10.244.0.0/16` for any non-host `-s`/`-d` (host bits as printed), null for a host or none. */
export function networkText(address: AddressMatch | null): string | null {
  if (address === null) return null;
  const net = address.net;
  if (net === null) return address.text;
  return `${formatIp(net.family, net.address)}/${net.prefix}`;
}

/** `10.244.1.5/32` → `10.244.1.5`; a real prefix stays `a/n`. */
export function addressText(address: AddressMatch): string {
  const net = address.net;
  if (net === null) return address.text;
  const ip = formatIp(net.family, net.address);
  return net.prefix === hostBits(net) ? ip : `${ip}/${net.prefix}`;
}

/** Lower-case protocol of `-p` (numbers from 1.8.9 listings mapped), when tcp/udp/sctp. */
export function ruleProtocol(rule: Rule): ServiceProtocol | null {
  const p = rule.protocol;
  if (p !== null && !p.negated) {
    const name = p.name.toLowerCase();
    if (name === 'tcp' || name === 'udp' || name === 'sctp') return name;
    const byNumber = PROTOCOL_NUMBERS[name];
    if (byNumber !== undefined) return byNumber;
  }
  for (const m of rule.matches) {
    if (m.kind === 'ports' && (m.module === 'tcp' || m.module === 'udp' || m.module === 'sctp')) {
      return m.module;
    }
  }
  return null;
}

function singlePort(p: PortMatch | null): number | null {
  if (p === null || p.negated || p.range === null) return null;
  return p.range.from === p.range.to ? p.range.from : null;
}

/** The single destination port (`--dport N`), or null. */
export function destinationPort(rule: Rule): number | null {
  for (const m of rule.matches) {
    if (m.kind === 'ports') {
      const port = singlePort(m.destinationPort);
      if (port !== null) return port;
    }
  }
  return null;
}

export function hasMatch(rule: Rule, predicate: (m: Match) => boolean): boolean {
  return rule.matches.some(predicate);
}

/** `-m addrtype --dst-type LOCAL` (not negated). */
export function matchesDestinationLocal(rule: Rule): boolean {
  return hasMatch(
    rule,
    (m) =>
      m.kind === 'addrtype' &&
      m.destinationType !== null &&
      !m.destinationType.negated &&
      m.destinationType.types.includes('LOCAL'),
  );
}

/** `-m addrtype --src-type LOCAL` (not negated). */
export function matchesSourceLocal(rule: Rule): boolean {
  return hasMatch(
    rule,
    (m) =>
      m.kind === 'addrtype' &&
      m.sourceType !== null &&
      !m.sourceType.negated &&
      m.sourceType.types.includes('LOCAL'),
  );
}

/** The source condition a masquerade or short-circuit rule states. */
export function sourceCondition(rule: Rule): SourceCondition {
  if (rule.source !== null) {
    const text = addressText(rule.source);
    return rule.source.negated ? { kind: 'not-cidr', cidr: text } : { kind: 'cidr', cidr: text };
  }
  if (rule.inInterface !== null) {
    return rule.inInterface.negated
      ? { kind: 'not-interface', name: rule.inInterface.name }
      : { kind: 'other', text: `-i ${rule.inInterface.name}` };
  }
  if (matchesSourceLocal(rule)) return { kind: 'local-type' };
  return { kind: 'all' };
}

/** Match kinds that never make a rule depend on the packet. */
const LABEL_ONLY: ReadonlySet<string> = new Set(['comment', 'nfacct']);

/** No match kinds: every condition counts. */
export const NO_MATCH_KINDS: ReadonlySet<string> = new Set();

/** Shared by the (many) rules without other conditions. */
const NO_CONDITIONS: readonly string[] = [];

/**
 * Conditions of a rule other than those listed in `allowed` (match kinds), in words; empty when
 * the rule matches every packet that reaches it (apart from the allowed kinds).
 */
export function otherConditions(rule: Rule, allowed: ReadonlySet<string>): readonly string[] {
  const out: string[] = [];
  if (rule.source !== null) out.push(`-s ${rule.source.negated ? '! ' : ''}${rule.source.text}`);
  if (rule.destination !== null) {
    out.push(`-d ${rule.destination.negated ? '! ' : ''}${rule.destination.text}`);
  }
  if (rule.inInterface !== null) out.push(`-i ${rule.inInterface.name}`);
  if (rule.outInterface !== null) out.push(`-o ${rule.outInterface.name}`);
  if (rule.fragment !== null) out.push('-f');
  for (const m of rule.matches) {
    if (LABEL_ONLY.has(m.kind) || allowed.has(m.kind)) continue;
    // `-p tcp -m tcp` without port options is implied by the service's protocol.
    if (
      m.kind === 'ports' &&
      m.sourcePort === null &&
      m.destinationPort === null &&
      m.tcpFlags === null
    ) {
      continue;
    }
    out.push(`-m ${m.module}`);
  }
  return out.length === 0 ? NO_CONDITIONS : out;
}

/** True when the rule has no condition at all (besides comments): it matches every packet. */
export function isUnconditional(rule: Rule): boolean {
  return otherConditions(rule, NO_MATCH_KINDS).length === 0;
}

/** Packets on the rule, when the input has counters. */
export function rulePackets(rule: Rule): number | null {
  return rule.counters === null ? null : rule.counters.packets;
}
