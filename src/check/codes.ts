/**
 * The catalogue of finding codes: severity and a one-line meaning for each. `check --codes`
 * prints it and the README documents the same list; a test keeps the two in step.
 */
import type { Rule } from '../model/rule.js';
import type { Finding, FindingCode, FindingLocation, FindingSeverity } from './finding.js';

export interface CodeInfo {
  readonly code: FindingCode;
  readonly severity: FindingSeverity;
  readonly summary: string;
}

export const FINDING_CODES: readonly CodeInfo[] = [
  {
    code: 'service-no-endpoints',
    severity: 'error',
    summary:
      'a service has no usable endpoint: filter REJECT "has no endpoints" refuses its traffic',
  },
  {
    code: 'empty-chain',
    severity: 'error',
    summary:
      'a KUBE-SVC/SVL/EXT/SEP chain that rules jump to has no rules: the traffic falls through un-DNATed',
  },
  {
    code: 'undeclared-chain',
    severity: 'error',
    summary: 'a rule jumps to (or is in) a chain the dump never declares: truncated or hand-edited',
  },
  {
    code: 'ladder-remainder',
    severity: 'error',
    summary:
      'the probability ladder of a service does not sum to 1: some new connections match no endpoint',
  },
  {
    code: 'external-no-local-endpoints',
    severity: 'warning',
    summary:
      'externalTrafficPolicy=Local and no endpoint on this node: external traffic to it here is dropped',
  },
  {
    code: 'internal-no-local-endpoints',
    severity: 'warning',
    summary:
      'internalTrafficPolicy=Local and no endpoint on this node: pods and processes here cannot reach it',
  },
  {
    code: 'stale-chain',
    severity: 'warning',
    summary:
      'a KUBE-SVC/SVL/EXT/FW/XLB/SEP chain nothing jumps to (a deleted service or endpoint left behind)',
  },
  {
    code: 'iptables-mode-leftover',
    severity: 'warning',
    summary:
      'KUBE-SVC/KUBE-SEP chains left over from iptables mode after a switch to IPVS or nftables mode',
  },
  {
    code: 'ladder-unreachable',
    severity: 'warning',
    summary: 'ladder steps after an unconditional step can never be taken',
  },
  {
    code: 'rule-shadowed',
    severity: 'warning',
    summary:
      'a rule can never match: an earlier rule of the chain matches every packet it would and ends the chain',
  },
  {
    code: 'rule-duplicate',
    severity: 'warning',
    summary: 'rules that repeat an earlier rule of the same chain exactly',
  },
  {
    code: 'mixed-iptables-backends',
    severity: 'warning',
    summary:
      'iptables-nft warns that iptables-legacy tables also exist: rules in both backends act on packets',
  },
  {
    code: 'unsupported-revision',
    severity: 'warning',
    summary:
      '[unsupported revision]: the iptables that saved the dump is older than the one that wrote the rules',
  },
  {
    code: 'garbled-nat',
    severity: 'warning',
    summary:
      'a NAT target printed without a usable address (--to-destination :0): mixed iptables versions',
  },
  {
    code: 'endpoint-share-off',
    severity: 'warning',
    summary:
      "an endpoint's counters show a share of new connections far from its ladder probability",
  },
  {
    code: 'duplicate-service-tuple',
    severity: 'warning',
    summary: 'two services claim the same IP:port/protocol; the first in rule order wins',
  },
  {
    code: 'chain-hash-mismatch',
    severity: 'warning',
    summary: "a chain's hash suffix does not match the service its comments name (hand-edited?)",
  },
  {
    code: 'unreadable-dnat',
    severity: 'warning',
    summary: 'an endpoint chain without a readable DNAT destination',
  },
  {
    code: 'rule-redundant',
    severity: 'info',
    summary:
      'a rule can never match, but the earlier rule that catches its packets has the same target',
  },
  {
    code: 'proxy-mode-ipvs',
    severity: 'info',
    summary:
      'kube-proxy runs in IPVS mode: endpoints live in the IPVS table, so no endpoint checks apply',
  },
  {
    code: 'proxy-mode-nftables',
    severity: 'info',
    summary:
      'kube-proxy chains exist but are empty, with no IPVS signs: nftables mode (or a stopped proxy)',
  },
  {
    code: 'proxy-mode-none',
    severity: 'info',
    summary: 'the dump has no kube-proxy chains at all',
  },
  {
    code: 'large-cluster-mode',
    severity: 'info',
    summary:
      'endpoint rules carry no comments (kube-proxy over 1000 endpoints): names come from hashes only',
  },
];

const BY_CODE = new Map(FINDING_CODES.map((c) => [c.code, c]));

export function codeInfo(code: FindingCode): CodeInfo {
  const info = BY_CODE.get(code);
  if (info === undefined) throw new Error(`unknown finding code ${code}`);
  return info;
}

export function isFindingCode(text: string): text is FindingCode {
  return BY_CODE.has(text as FindingCode);
}

/** A finding with its code's catalogue severity (checks pass `severity` only to lower it). */
export function makeFinding(
  code: FindingCode,
  message: string,
  location: FindingLocation,
  rules: readonly Rule[],
  explanation: readonly string[] = [],
  severity: FindingSeverity = codeInfo(code).severity,
): Finding {
  return { code, severity, message, explanation, location, rules };
}
