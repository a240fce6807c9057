/**
 * One matcher per match kind: a small pure function of (the rule's match, the packet as it is
 * now, the environment) answering yes, no, or "with this probability" (statistic). Adding a
 * module is adding an entry to MATCHERS. Whatever a matcher cannot know from the dump comes back
 * as an `assumption` sentence next to its answer, never as a silent guess.
 */
import { netContains } from '../model/ip.js';
import type {
  AddressTypeTest,
  Match,
  MatchKind,
  MatchOption,
  PortListMatch,
  PortMatch,
  StateSet,
} from '../model/matches.js';
import { STATISTIC_SCALE } from '../model/matches.js';
import type { AddressMatch, InterfaceMatch, Rule } from '../model/rule.js';
import { ipText, isLimitedBroadcast, isMulticast, parseNetText, toIp, type Ip } from './address.js';
import { isLocal, type TraceEnvironment } from './environment.js';
import type { FlowView } from './flow.js';

export type MatchResult =
  | { readonly kind: 'yes'; readonly text: string | null; readonly assumption?: string }
  | { readonly kind: 'no'; readonly assumption?: string }
  | {
      readonly kind: 'chance';
      /** Probability that the match holds, given that the rule is reached. */
      readonly probability: number;
      readonly text: string;
      readonly assumption?: string;
    };

const YES_SILENT: MatchResult = { kind: 'yes', text: null };
const NO: MatchResult = { kind: 'no' };

function yes(text: string | null, assumption?: string): MatchResult {
  return assumption === undefined ? { kind: 'yes', text } : { kind: 'yes', text, assumption };
}

function no(assumption?: string): MatchResult {
  return assumption === undefined ? NO : { kind: 'no', assumption };
}

function decide(holds: boolean, text: string | null, assumption?: string): MatchResult {
  return holds ? yes(text, assumption) : no(assumption);
}

const bang = (negated: boolean): string => (negated ? '! ' : '');

// ---------------------------------------------------------------------------------------------
// Pieces shared by several matchers.

export function interfaceMatches(rule: InterfaceMatch, name: string): boolean {
  const hit = rule.name.endsWith('+')
    ? name.startsWith(rule.name.slice(0, -1))
    : name === rule.name;
  return hit !== rule.negated;
}

function portInRange(p: PortMatch, port: number): boolean | null {
  if (p.range === null) return null;
  return (port >= p.range.from && port <= p.range.to) !== p.negated;
}

function portInList(list: PortListMatch, port: number): boolean | null {
  let unknown = false;
  for (const r of list.ranges) {
    if (r === null) unknown = true;
    else if (port >= r.from && port <= r.to) return !list.negated;
  }
  return unknown ? null : list.negated;
}

function addressType(ip: Ip, env: TraceEnvironment): string {
  if (isLocal(env, ip)) return 'LOCAL';
  if (isMulticast(ip)) return 'MULTICAST';
  if (isLimitedBroadcast(ip)) return 'BROADCAST';
  return 'UNICAST';
}

function typeTest(test: AddressTypeTest | null, ip: Ip, env: TraceEnvironment): boolean {
  if (test === null) return true;
  return test.types.includes(addressType(ip, env)) !== test.negated;
}

function stateTest(set: StateSet | null, present: readonly string[]): boolean {
  if (set === null) return true;
  return set.states.some((s) => present.includes(s)) !== set.negated;
}

function optionText(options: readonly MatchOption[]): string {
  return options
    .map(
      (o) => `${o.negated ? '! ' : ''}${o.name}${o.args.length > 0 ? ' ' + o.args.join(' ') : ''}`,
    )
    .join(' ');
}

const ALL_TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

function expandFlags(flags: readonly string[]): string[] {
  if (flags.includes('ALL')) return ALL_TCP_FLAGS;
  return flags.filter((f) => f !== 'NONE');
}

function unknownMatch(env: TraceEnvironment, what: string): MatchResult {
  const holds = env.unknownMatch === 'match';
  return decide(
    holds,
    `${what} (assumed)`,
    `${what} cannot be evaluated from a dump; assumed to ${holds ? 'match' : 'not match'}`,
  );
}

function inRange(text: string, ip: Ip): boolean | null {
  const dash = text.indexOf('-');
  const from = toIp(dash === -1 ? text : text.slice(0, dash));
  const to = toIp(dash === -1 ? text : text.slice(dash + 1));
  if (from === null || to === null || from.family !== ip.family) return null;
  return ip.value >= from.value && ip.value <= to.value;
}

// ---------------------------------------------------------------------------------------------
// Generic modules the model keeps as options, evaluated where they are plain arithmetic.

function genericMatch(
  match: Extract<Match, { kind: 'generic' }>,
  flow: FlowView,
  env: TraceEnvironment,
): MatchResult {
  const what = `-m ${match.module} ${optionText(match.options)}`.trim();
  switch (match.module) {
    case 'iprange': {
      for (const o of match.options) {
        const ip =
          o.name === '--src-range'
            ? flow.source
            : o.name === '--dst-range'
              ? flow.destination
              : null;
        if (ip === null || o.args.length !== 1) return unknownMatch(env, what);
        const hit = inRange(o.args[0], ip);
        if (hit === null) return unknownMatch(env, what);
        if (hit === o.negated) return NO;
      }
      return yes(what);
    }
    case 'pkttype': {
      const o = match.options.find((x) => x.name === '--pkt-type');
      if (o === undefined || o.args.length !== 1) return unknownMatch(env, what);
      const type = isMulticast(flow.destination)
        ? 'multicast'
        : isLimitedBroadcast(flow.destination)
          ? 'broadcast'
          : 'unicast';
      return decide((o.args[0] === type) !== o.negated, what);
    }
    case 'limit':
      return yes(what, `${what}: the flow is assumed to be within the rate limit`);
    default:
      return unknownMatch(env, what);
  }
}

// ---------------------------------------------------------------------------------------------
// The table: one entry per match kind.

type Matcher<K extends MatchKind> = (
  match: Extract<Match, { kind: K }>,
  flow: FlowView,
  env: TraceEnvironment,
) => MatchResult;

export const MATCHERS: { readonly [K in MatchKind]: Matcher<K> } = {
  comment: () => YES_SILENT,

  nfacct: () => YES_SILENT,

  ports: (m, flow) => {
    if (m.module !== flow.protocol) return NO;
    const parts: string[] = [m.module];
    let assumption: string | undefined;
    if (m.destinationPort !== null) {
      const hit = portInRange(m.destinationPort, flow.destinationPort);
      if (hit === false) return NO;
      if (hit === null)
        assumption = `destination port name "${m.destinationPort.text}" is not a number; assumed to match`;
      parts.push(`${bang(m.destinationPort.negated)}dpt:${m.destinationPort.text}`);
    }
    if (m.sourcePort !== null) {
      const hit = portInRange(m.sourcePort, flow.sourcePort);
      if (hit === false) return NO;
      if (hit === null)
        assumption = `source port name "${m.sourcePort.text}" is not a number; assumed to match`;
      parts.push(`${bang(m.sourcePort.negated)}spt:${m.sourcePort.text}`);
    }
    if (m.tcpFlags !== null) {
      // The first packet of a new TCP flow is a bare SYN: (flags & mask) == compare.
      const mask = expandFlags(m.tcpFlags.mask);
      const compare = expandFlags(m.tcpFlags.compare);
      const masked = mask.includes('SYN') ? ['SYN'] : [];
      const equal = masked.length === compare.length && compare.every((f) => masked.includes(f));
      if (equal === m.tcpFlags.negated) return NO;
      parts.push('flags:SYN');
    }
    return yes(parts.join(' '), assumption);
  },

  multiport: (m, flow) => {
    const parts: string[] = ['multiport'];
    let unknown = false;
    const check = (list: PortListMatch | null, port: number, label: string): boolean => {
      if (list === null) return true;
      const hit = portInList(list, port);
      if (hit === null) unknown = true;
      parts.push(`${bang(list.negated)}${label} ${list.text}`);
      return hit !== false;
    };
    if (!check(m.destinationPorts, flow.destinationPort, 'dports')) return NO;
    if (!check(m.sourcePorts, flow.sourcePort, 'sports')) return NO;
    if (m.ports !== null) {
      const d = portInList(m.ports, flow.destinationPort);
      const s = portInList(m.ports, flow.sourcePort);
      // `--ports` matches when either port is in the list (negated: when neither is).
      const hit = m.ports.negated ? d !== false && s !== false : d !== false || s !== false;
      if (!hit) return NO;
      if (d === null || s === null) unknown = true;
      parts.push(`${bang(m.ports.negated)}ports ${m.ports.text}`);
    }
    return yes(
      parts.join(' '),
      unknown ? 'a port name in a multiport list is not a number; assumed to match' : undefined,
    );
  },

  statistic: (m) => {
    if (m.mode === 'random') {
      const p = m.kernelThreshold / STATISTIC_SCALE;
      const q = m.negated ? 1 - p : p;
      const text = `statistic ${bang(m.negated)}random ${m.probabilityText}`;
      if (q <= 0) return NO;
      if (q >= 1) return yes(text);
      return { kind: 'chance', probability: q, text };
    }
    const share = m.every > 0 ? 1 / m.every : 1;
    const q = m.negated ? 1 - share : share;
    const text = `statistic ${bang(m.negated)}nth every ${m.every} packet ${m.packet}`;
    const assumption = `statistic nth (every ${m.every}): which packet of the counter a new flow is is unknown; traced as a share of 1/${m.every}`;
    if (q <= 0) return no(assumption);
    if (q >= 1) return yes(text, assumption);
    return { kind: 'chance', probability: q, text, assumption };
  },

  recent: (m, flow, env) => {
    const text = `recent ${bang(m.negated)}${m.command} ${m.name}`;
    if (m.command === 'set') return decide(!m.negated, text);
    const client = m.side === 'source' ? flow.source : flow.destination;
    const hit = env.affinityHit;
    const endpoints = hit !== null ? env.recentList(m.name) : [];
    let present = false;
    if (hit !== null && m.side === 'source') {
      for (const e of endpoints) {
        const colon = e.lastIndexOf(':');
        const address = e.startsWith('[')
          ? e.slice(1, e.indexOf(']'))
          : colon > 0
            ? e.slice(0, colon)
            : e;
        const port = colon > 0 ? Number(e.slice(colon + 1)) : null;
        const ip = toIp(address);
        if (
          ip !== null &&
          ip.family === hit.address.family &&
          ip.value === hit.address.value &&
          (hit.port === null || hit.port === port)
        )
          present = true;
      }
    }
    const assumption =
      hit === null
        ? `${ipText(client)} has no entry in the affinity list ${m.name} (a new client; --affinity-hit ENDPOINT traces a returning one)`
        : present
          ? `${ipText(client)} has a fresh entry in the affinity list ${m.name} (--affinity-hit)`
          : undefined;
    return decide(present !== m.negated, text, assumption);
  },

  mark: (m, flow) => {
    const current = m.module === 'connmark' ? flow.connmark : flow.mark;
    const hit = (current & m.mask) >>> 0 === m.value >>> 0;
    const mask = m.mask === 0xffffffff ? '' : `/0x${m.mask.toString(16)}`;
    return decide(
      hit !== m.negated,
      `${m.module} ${bang(m.negated)}0x${m.value.toString(16)}${mask}`,
    );
  },

  addrtype: (m, flow, env) => {
    if (!typeTest(m.sourceType, flow.source, env)) return NO;
    if (!typeTest(m.destinationType, flow.destination, env)) return NO;
    const parts = ['addrtype'];
    if (m.sourceType !== null)
      parts.push(`src-type ${bang(m.sourceType.negated)}${m.sourceType.types.join(',')}`);
    if (m.destinationType !== null)
      parts.push(`dst-type ${bang(m.destinationType.negated)}${m.destinationType.types.join(',')}`);
    const limited = m.limitIfaceIn || m.limitIfaceOut;
    return yes(
      parts.join(' '),
      limited
        ? 'addrtype --limit-iface-in/out: the address is assumed to belong to that interface'
        : undefined,
    );
  },

  conntrack: (m, flow, env) => {
    // The first packet of a flow: NEW, plus the virtual SNAT/DNAT states once NAT changed it.
    const states = flow.untracked
      ? ['UNTRACKED']
      : [
          'NEW',
          ...(flow.destinationNatted ? ['DNAT'] : []),
          ...(flow.sourceNatted ? ['SNAT'] : []),
        ];
    if (!stateTest(m.state, states)) return NO;
    // No status bit is set before the first packet is confirmed.
    if (m.status !== null && m.status.states.some((s) => s !== 'NONE') !== m.status.negated)
      return NO;
    const parts = [m.module === 'state' ? 'state' : 'ctstate'];
    if (m.state !== null) parts.push(`${bang(m.state.negated)}${m.state.states.join(',')}`);
    if (m.status !== null)
      parts.push(`ctstatus ${bang(m.status.negated)}${m.status.states.join(',')}`);
    for (const o of m.extra) {
      const ip =
        o.name === '--ctorigsrc'
          ? flow.originalSource
          : o.name === '--ctorigdst'
            ? flow.originalDestination
            : null;
      const port = o.name === '--ctorigdstport' ? flow.originalDestinationPort : null;
      if (ip !== null && o.args.length === 1) {
        const net = parseNetText(o.args[0]);
        if (net === null) return unknownMatch(env, `conntrack ${optionText([o])}`);
        if (netContains(net, ip.family, ip.value) === o.negated) return NO;
      } else if (port !== null && o.args.length === 1) {
        const [from, to] = o.args[0].split(':').map(Number);
        if ((port >= from && port <= (to ?? from)) === o.negated) return NO;
      } else if (o.name === '--ctproto' && o.args.length === 1) {
        if ((o.args[0].toLowerCase() === flow.protocol) === o.negated) return NO;
      } else return unknownMatch(env, `conntrack ${optionText([o])}`);
      parts.push(optionText([o]));
    }
    return yes(parts.join(' '));
  },

  set: (m, flow, env) => {
    const dimension = m.flags[0] ?? 'src';
    const ip = dimension === 'src' ? flow.source : flow.destination;
    const members = env.ipsetMembers.get(m.setName);
    const text = `match-set ${bang(m.negated)}${m.setName} ${m.flags.join(',')}`;
    const extra =
      m.flags.length > 1 ? ` (only its first dimension, the ${dimension} address, is checked)` : '';
    if (members === undefined) {
      const member = env.unknownSetMembership === 'match';
      return decide(
        member !== m.negated,
        text,
        `ipset ${m.setName}: members are not in the dump; ${ipText(ip)} assumed ${member ? '' : 'not '}a member${extra} (--ipset-member ${m.setName}=${ipText(ip)} to change)`,
      );
    }
    return decide(
      members.has(ip) !== m.negated,
      text,
      extra !== '' ? `ipset ${m.setName}${extra}` : undefined,
    );
  },

  physdev: (m, flow, env) => {
    const bridgedIn =
      flow.bridged &&
      (flow.hook === 'PREROUTING' || flow.hook === 'INPUT' || flow.hook === 'FORWARD');
    if (m.isIn !== null && bridgedIn === m.isIn.negated) return NO;
    // Routed packets (all a trace follows) are never bridged between two ports.
    if (m.isOut !== null && !m.isOut.negated) return NO;
    if (m.isBridged !== null && !m.isBridged.negated) return NO;
    const assumption = flow.bridged
      ? `packets from pods enter through a port of the bridge ${env.podInterface} with br_netfilter on`
      : undefined;
    if (m.physdevIn !== null || m.physdevOut !== null) {
      const r = unknownMatch(
        env,
        `physdev ${optionText(m.extra)} (bridge port names are not in the dump)`,
      );
      return r;
    }
    return yes(
      `physdev ${m.isIn !== null ? `${bang(m.isIn.negated)}is-in` : ''}`.trim(),
      assumption,
    );
  },

  rpfilter: (m, flow) => {
    const text = `rpfilter${m.invert ? ' --invert' : ''}`;
    return decide(
      !m.invert,
      text,
      `reverse-path filter: ${ipText(flow.source)} is assumed to be reachable back through the interface it came in on`,
    );
  },

  generic: genericMatch,
};

function evaluateMatch(match: Match, flow: FlowView, env: TraceEnvironment): MatchResult {
  // The mapped type guarantees MATCHERS[k] accepts exactly the match of kind k.
  const matcher = MATCHERS[match.kind] as Matcher<typeof match.kind>;
  return matcher(match as never, flow, env);
}

// ---------------------------------------------------------------------------------------------
// The rule header: protocol, addresses, interfaces, fragment (not modules, but matched alike).

const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { tcp: '6', udp: '17', sctp: '132' };

function addressHolds(a: AddressMatch, ip: Ip): boolean | null {
  if (a.text === 'anywhere') return !a.negated;
  const net = a.net;
  if (net === null) return null;
  return netContains(net, ip.family, ip.value) !== a.negated;
}

export interface RuleMatch {
  /** Overall probability that the rule matches (1 for a plain yes, 0 for no). */
  readonly probability: number;
  /** Human-readable pieces that matched (for the step). */
  readonly matched: readonly string[];
  readonly assumptions: readonly string[];
  /** The texts of the matches that were decided by chance, for the branch label. */
  readonly chance: readonly string[];
}

const NO_MATCH: RuleMatch = { probability: 0, matched: [], assumptions: [], chance: [] };

/** All of a rule's conditions, ANDed in rule order; stops at the first that fails. */
export function matchRule(rule: Rule, flow: FlowView, env: TraceEnvironment): RuleMatch {
  const matched: string[] = [];
  const assumptions: string[] = [];
  if (rule.destination !== null) {
    const hit = addressHolds(rule.destination, flow.destination);
    if (hit === false) return NO_MATCH;
    if (hit === null)
      assumptions.push(
        `destination "${rule.destination.text}" is a name, not an address; assumed to match`,
      );
    if (rule.destination.text !== 'anywhere')
      matched.push(`${bang(rule.destination.negated)}-d ${rule.destination.text}`);
  }
  if (rule.protocol !== null) {
    const name = rule.protocol.name;
    const any = name === 'all' || name === '0';
    const hit = any || name === flow.protocol || name === PROTOCOL_NUMBERS[flow.protocol];
    if (hit === rule.protocol.negated) return NO_MATCH;
    if (!any) matched.push(`${bang(rule.protocol.negated)}-p ${name}`);
  }
  if (rule.source !== null) {
    const hit = addressHolds(rule.source, flow.source);
    if (hit === false) return NO_MATCH;
    if (hit === null)
      assumptions.push(`source "${rule.source.text}" is a name, not an address; assumed to match`);
    if (rule.source.text !== 'anywhere')
      matched.push(`${bang(rule.source.negated)}-s ${rule.source.text}`);
  }
  if (rule.inInterface !== null) {
    if (!interfaceMatches(rule.inInterface, flow.inInterface)) return NO_MATCH;
    matched.push(`${bang(rule.inInterface.negated)}-i ${rule.inInterface.name}`);
  }
  if (rule.outInterface !== null) {
    if (!interfaceMatches(rule.outInterface, flow.outInterface)) return NO_MATCH;
    matched.push(`${bang(rule.outInterface.negated)}-o ${rule.outInterface.name}`);
  }
  // The first packet of a flow is never a later fragment.
  if (rule.fragment !== null && !rule.fragment.negated) return NO_MATCH;

  let probability = 1;
  const chance: string[] = [];
  for (const m of rule.matches) {
    const r = evaluateMatch(m, flow, env);
    if (r.assumption !== undefined) assumptions.push(r.assumption);
    if (r.kind === 'no') return assumptions.length > 0 ? { ...NO_MATCH, assumptions } : NO_MATCH;
    if (r.kind === 'chance') {
      probability *= r.probability;
      chance.push(r.text);
      matched.push(r.text);
    } else if (r.text !== null) matched.push(r.text);
  }
  if (rule.unknowns?.includes('match-details'))
    assumptions.push(
      `${rule.table} ${rule.chain} #${rule.index}: part of this rule could not be read from the listing; assumed to match`,
    );
  return { probability, matched, assumptions, chance };
}
