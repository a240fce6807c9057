/**
 * From `-m MODULE` plus its options to a typed Match: one entry per module in MATCH_BUILDERS.
 * Options a builder does not model go to `extra`; a module without a builder becomes a
 * GenericMatch. A malformed value raises ValueError, and the caller keeps the match generic.
 */
import {
  STATISTIC_SCALE,
  type AddressTypeTest,
  type Match,
  type MatchOption,
  type StateSet,
} from '../model/matches.js';
import {
  parseMarkPair,
  parsePortList,
  parsePortMatch,
  parseUnsigned,
  single,
  ValueError,
} from './values.js';

type Builder = (module: string, options: readonly MatchOption[]) => Match;

function noArgs(o: MatchOption): void {
  if (o.args.length !== 0)
    throw new ValueError(`${o.name} takes no value, got "${o.args.join(' ')}"`, o.name);
}

function states(o: MatchOption): StateSet {
  return {
    negated: o.negated,
    states: single(o)
      .split(',')
      .map((s) => s.toUpperCase()),
  };
}

function addressTypes(o: MatchOption): AddressTypeTest {
  return {
    negated: o.negated,
    types: single(o)
      .split(',')
      .map((s) => s.toUpperCase()),
  };
}

const ports: Builder = (module, options) => {
  let sourcePort = null;
  let destinationPort = null;
  let tcpFlags = null;
  const extra: MatchOption[] = [];
  for (const o of options) {
    switch (o.name) {
      case '--sport':
      case '--source-port':
        sourcePort = parsePortMatch(single(o), o.negated);
        break;
      case '--dport':
      case '--destination-port':
        destinationPort = parsePortMatch(single(o), o.negated);
        break;
      case '--tcp-flags':
        if (o.args.length !== 2)
          throw new ValueError('--tcp-flags takes two lists', '--tcp-flags MASK COMP');
        tcpFlags = {
          negated: o.negated,
          mask: o.args[0].split(','),
          compare: o.args[1].split(','),
        };
        break;
      case '--syn':
        noArgs(o);
        tcpFlags = { negated: o.negated, mask: ['FIN', 'SYN', 'RST', 'ACK'], compare: ['SYN'] };
        break;
      default:
        extra.push(o);
    }
  }
  return {
    kind: 'ports',
    module: module as 'tcp' | 'udp' | 'sctp',
    sourcePort,
    destinationPort,
    tcpFlags,
    extra,
  };
};

const MATCH_BUILDERS: Readonly<Record<string, Builder>> = {
  comment: (module, options) => {
    let text: string | null = null;
    const extra: MatchOption[] = [];
    for (const o of options) {
      // kube-proxy's own test fixtures write multi-word comments unquoted: join them.
      if (o.name === '--comment') text = o.args.join(' ');
      else extra.push(o);
    }
    if (text === null) throw new ValueError('comment match without --comment', '--comment TEXT');
    return { kind: 'comment', module, text, extra };
  },
  tcp: ports,
  udp: ports,
  sctp: ports,
  udplite: ports,
  dccp: ports,
  multiport: (module, options) => {
    let sourcePorts = null;
    let destinationPorts = null;
    let anyPorts = null;
    const extra: MatchOption[] = [];
    for (const o of options) {
      switch (o.name) {
        case '--sports':
        case '--source-ports':
          sourcePorts = parsePortList(single(o), o.negated);
          break;
        case '--dports':
        case '--destination-ports':
          destinationPorts = parsePortList(single(o), o.negated);
          break;
        case '--ports':
          anyPorts = parsePortList(single(o), o.negated);
          break;
        default:
          extra.push(o);
      }
    }
    return { kind: 'multiport', module, sourcePorts, destinationPorts, ports: anyPorts, extra };
  },
  statistic: (module, options) => {
    let mode: string | null = null;
    let probabilityText: string | null = null;
    let every: number | null = null;
    let packet = 0;
    let negated = false;
    const extra: MatchOption[] = [];
    for (const o of options) {
      switch (o.name) {
        case '--mode':
          mode = single(o);
          break;
        case '--probability':
          probabilityText = single(o);
          negated = negated || o.negated;
          break;
        case '--every':
          every = parseUnsigned(single(o), '--every');
          negated = negated || o.negated;
          break;
        case '--packet':
          packet = parseUnsigned(single(o), '--packet');
          break;
        default:
          extra.push(o);
      }
    }
    if (mode === 'random') {
      if (probabilityText === null)
        throw new ValueError('statistic random without --probability', '--probability P');
      const probability = Number(probabilityText);
      if (!/^\d*\.?\d+(e-?\d+)?$/.test(probabilityText) || !(probability >= 0 && probability <= 1))
        throw new ValueError(`invalid probability "${probabilityText}"`, 'a number from 0 to 1');
      // iptables stores lround(p * 2^31); the printed value is that, divided back, to 11 places.
      const kernelThreshold = Math.round(probability * STATISTIC_SCALE);
      return {
        kind: 'statistic',
        module,
        mode: 'random',
        negated,
        probability,
        probabilityText,
        kernelThreshold,
        extra,
      };
    }
    if (mode === 'nth') {
      if (every === null) throw new ValueError('statistic nth without --every', '--every N');
      return { kind: 'statistic', module, mode: 'nth', negated, every, packet, extra };
    }
    throw new ValueError(`unknown statistic mode "${mode ?? ''}"`, '--mode random|nth');
  },
  recent: (module, options) => {
    let command: 'set' | 'rcheck' | 'update' | 'remove' | null = null;
    let negated = false;
    let name = 'DEFAULT';
    let seconds: number | null = null;
    let hitcount: number | null = null;
    let reap = false;
    let rttl = false;
    let mask: string | null = null;
    let side: 'source' | 'dest' = 'source';
    const extra: MatchOption[] = [];
    for (const o of options) {
      switch (o.name) {
        case '--set':
        case '--rcheck':
        case '--update':
        case '--remove':
          noArgs(o);
          command = o.name.slice(2) as 'set' | 'rcheck' | 'update' | 'remove';
          negated = o.negated;
          break;
        case '--name':
          name = single(o);
          break;
        case '--seconds':
          seconds = parseUnsigned(single(o), '--seconds');
          break;
        case '--hitcount':
          hitcount = parseUnsigned(single(o), '--hitcount');
          break;
        case '--reap':
          noArgs(o);
          reap = true;
          break;
        case '--rttl':
          noArgs(o);
          rttl = true;
          break;
        case '--mask':
          mask = single(o);
          break;
        case '--rsource':
          side = 'source';
          break;
        case '--rdest':
          side = 'dest';
          break;
        default:
          extra.push(o);
      }
    }
    if (command === null)
      throw new ValueError(
        'recent match without a command',
        '--set, --rcheck, --update or --remove',
      );
    return {
      kind: 'recent',
      module,
      negated,
      command,
      name,
      seconds,
      hitcount,
      reap,
      rttl,
      mask,
      side,
      extra,
    };
  },
  mark: markMatch,
  connmark: markMatch,
  addrtype: (module, options) => {
    let sourceType = null;
    let destinationType = null;
    let limitIfaceIn = false;
    let limitIfaceOut = false;
    const extra: MatchOption[] = [];
    for (const o of options) {
      switch (o.name) {
        case '--src-type':
          sourceType = addressTypes(o);
          break;
        case '--dst-type':
          destinationType = addressTypes(o);
          break;
        case '--limit-iface-in':
          limitIfaceIn = true;
          break;
        case '--limit-iface-out':
          limitIfaceOut = true;
          break;
        default:
          extra.push(o);
      }
    }
    return {
      kind: 'addrtype',
      module,
      sourceType,
      destinationType,
      limitIfaceIn,
      limitIfaceOut,
      extra,
    };
  },
  conntrack: (module, options) => {
    let state = null;
    let status = null;
    const extra: MatchOption[] = [];
    for (const o of options) {
      if (o.name === '--ctstate') state = states(o);
      else if (o.name === '--ctstatus') status = states(o);
      else extra.push(o);
    }
    return { kind: 'conntrack', module: 'conntrack', state, status, extra };
  },
  state: (_module, options) => {
    let state = null;
    const extra: MatchOption[] = [];
    for (const o of options) {
      if (o.name === '--state') state = states(o);
      else extra.push(o);
    }
    return { kind: 'conntrack', module: 'state', state, status: null, extra };
  },
  set: (module, options) => {
    let setName: string | null = null;
    let negated = false;
    let flags: ('src' | 'dst')[] = [];
    const extra: MatchOption[] = [];
    for (const o of options) {
      if ((o.name === '--match-set' || o.name === '--set') && setName === null) {
        if (o.args.length !== 2)
          throw new ValueError(
            `${o.name} takes a set name and flags`,
            `${o.name} NAME src|dst[,...]`,
          );
        setName = o.args[0];
        negated = o.negated;
        flags = o.args[1].split(',').map((f) => {
          if (f !== 'src' && f !== 'dst')
            throw new ValueError(`invalid set flag "${f}"`, 'src or dst, comma separated');
          return f;
        });
      } else extra.push(o);
    }
    if (setName === null)
      throw new ValueError('set match without --match-set', '--match-set NAME FLAGS');
    return { kind: 'set', module, negated, setName, flags, extra };
  },
  physdev: (module, options) => {
    let physdevIn = null;
    let physdevOut = null;
    let isIn = null;
    let isOut = null;
    let isBridged = null;
    const extra: MatchOption[] = [];
    for (const o of options) {
      switch (o.name) {
        case '--physdev-in':
          physdevIn = { negated: o.negated, name: single(o) };
          break;
        case '--physdev-out':
          physdevOut = { negated: o.negated, name: single(o) };
          break;
        case '--physdev-is-in':
          isIn = { negated: o.negated };
          break;
        case '--physdev-is-out':
          isOut = { negated: o.negated };
          break;
        case '--physdev-is-bridged':
          isBridged = { negated: o.negated };
          break;
        default:
          extra.push(o);
      }
    }
    return { kind: 'physdev', module, physdevIn, physdevOut, isIn, isOut, isBridged, extra };
  },
  rpfilter: (module, options) => {
    let loose = false;
    let validMark = false;
    let acceptLocal = false;
    let invert = false;
    const extra: MatchOption[] = [];
    for (const o of options) {
      if (o.name === '--loose') loose = true;
      else if (o.name === '--validmark') validMark = true;
      else if (o.name === '--accept-local') acceptLocal = true;
      else if (o.name === '--invert') invert = true;
      else extra.push(o);
    }
    return { kind: 'rpfilter', module, loose, validMark, acceptLocal, invert, extra };
  },
  nfacct: (module, options) => {
    let name: string | null = null;
    const extra: MatchOption[] = [];
    for (const o of options) {
      if (o.name === '--nfacct-name') name = single(o);
      else extra.push(o);
    }
    if (name === null)
      throw new ValueError('nfacct match without --nfacct-name', '--nfacct-name NAME');
    return { kind: 'nfacct', module, name, extra };
  },
};

function markMatch(module: string, options: readonly MatchOption[]): Match {
  let pair: { value: number; mask: number | null } | null = null;
  let negated = false;
  const extra: MatchOption[] = [];
  for (const o of options) {
    if (o.name === '--mark' && pair === null) {
      pair = parseMarkPair(single(o));
      negated = o.negated;
    } else extra.push(o);
  }
  if (pair === null) {
    if (module === 'connmark') return { kind: 'generic', module, options, extra: [] };
    throw new ValueError('mark match without --mark', '--mark VALUE[/MASK]');
  }
  return {
    kind: 'mark',
    module: module as 'mark' | 'connmark',
    negated,
    value: pair.value,
    mask: pair.mask ?? 0xffffffff,
    extra,
  };
}

const NO_OPTIONS: readonly MatchOption[] = Object.freeze([]);

/** Builds the typed match; throws ValueError on malformed values. */
export function buildMatch(module: string, options: readonly MatchOption[]): Match {
  const builder = MATCH_BUILDERS[module];
  if (builder === undefined) return { kind: 'generic', module, options, extra: NO_OPTIONS };
  const match = builder(module, options);
  // Most matches have no untyped options: share one empty list instead of keeping one each.
  if (match.extra.length === 0) (match as { extra: readonly MatchOption[] }).extra = NO_OPTIONS;
  return match;
}

export function isPortOption(name: string): boolean {
  return (
    name === '--dport' ||
    name === '--sport' ||
    name === '--destination-port' ||
    name === '--source-port' ||
    name === '--tcp-flags' ||
    name === '--syn'
  );
}
