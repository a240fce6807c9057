/**
 * From `-j NAME [options]` / `-g CHAIN` to a typed Target. Whether an unknown name is a chain is
 * decided here by elimination (not a verdict, not a known extension); the reader checks later
 * that such a chain is declared.
 */
import type { MatchOption } from '../model/matches.js';
import {
  KNOWN_TARGET_EXTENSIONS,
  VERDICTS,
  type NatRange,
  type Target,
  type VerdictTarget,
} from '../model/targets.js';
import { parseMarkPair, parseNatRange, parseToPorts, single } from './values.js';

export interface TargetIssue {
  readonly code: 'garbled-nat' | 'unsupported-revision';
  readonly message: string;
}

export interface BuiltTarget {
  readonly target: Target;
  readonly issues: readonly TargetIssue[];
}

function natRanges(option: MatchOption, issues: TargetIssue[]): NatRange | null {
  // iptables binaries older than the kernel's NAT revision print `--to-destination :0` or an
  // empty value; keep the text and say what it means rather than failing the rule.
  if (option.args.length === 0) {
    issues.push({
      code: 'garbled-nat',
      message: `${option.name} has no value: the rule was saved by an iptables binary that does not understand its NAT revision (mixed iptables versions)`,
    });
    return null;
  }
  const range = parseNatRange(single(option));
  if (range.addressFrom === null && (range.ports === null || range.ports.from === 0)) {
    issues.push({
      code: 'garbled-nat',
      message: `${option.name} ${range.text} is a garbled rendering (mixed iptables versions): the real destination is not in this dump`,
    });
  }
  return range;
}

const NO_OPTIONS: readonly MatchOption[] = Object.freeze([]);

/** `stray` holds words after the target name that are not options. */
export function buildTarget(
  name: string,
  goto: boolean,
  options: readonly MatchOption[],
  stray: string,
): BuiltTarget {
  const built = buildTargetOf(name, goto, options, stray);
  // Most targets have no untyped options: share one empty list instead of keeping one each.
  if (built.target.extra.length === 0)
    (built.target as { extra: readonly MatchOption[] }).extra = NO_OPTIONS;
  return built;
}

function buildTargetOf(
  name: string,
  goto: boolean,
  options: readonly MatchOption[],
  stray: string,
): BuiltTarget {
  const issues: TargetIssue[] = [];
  if (stray !== '') {
    if (/unsupported revision/i.test(stray))
      issues.push({
        code: 'unsupported-revision',
        message: `${name} ${stray}: the iptables binary that saved this rule is older than the one that wrote it (mixed iptables versions); its options are lost`,
      });
    return { target: { kind: 'generic', name, options, extra: [], unparsed: stray }, issues };
  }
  if (goto)
    return {
      target: { kind: 'chain', name, chain: name, goto: true, extra: [...options] },
      issues,
    };
  if (VERDICTS.has(name) && options.length === 0)
    return { target: { kind: 'verdict', name: name as VerdictTarget['name'], extra: [] }, issues };
  const extra: MatchOption[] = [];
  switch (name) {
    case 'DNAT': {
      const destinations: NatRange[] = [];
      let random = false;
      let persistent = false;
      for (const o of options) {
        if (o.name === '--to-destination' || o.name === '--to') {
          const r = natRanges(o, issues);
          if (r !== null) destinations.push(r);
        } else if (o.name === '--random') random = true;
        else if (o.name === '--persistent') persistent = true;
        else extra.push(o);
      }
      return {
        // Exact-size lists: one DNAT per endpoint adds up on large dumps.
        target: {
          kind: 'dnat',
          name,
          destinations: destinations.slice(),
          random,
          persistent,
          extra,
        },
        issues,
      };
    }
    case 'SNAT': {
      const sources: NatRange[] = [];
      let random = false;
      let randomFully = false;
      let persistent = false;
      for (const o of options) {
        if (o.name === '--to-source' || o.name === '--to') {
          const r = natRanges(o, issues);
          if (r !== null) sources.push(r);
        } else if (o.name === '--random') random = true;
        else if (o.name === '--random-fully') randomFully = true;
        else if (o.name === '--persistent') persistent = true;
        else extra.push(o);
      }
      return {
        target: {
          kind: 'snat',
          name,
          sources: sources.slice(),
          random,
          randomFully,
          persistent,
          extra,
        },
        issues,
      };
    }
    case 'MASQUERADE':
    case 'REDIRECT': {
      let toPorts = null;
      let random = false;
      let randomFully = false;
      for (const o of options) {
        if (o.name === '--to-ports') toPorts = parseToPorts(single(o));
        else if (o.name === '--random') random = true;
        else if (o.name === '--random-fully') randomFully = true;
        else extra.push(o);
      }
      if (name === 'REDIRECT') {
        if (random) extra.push({ name: '--random', negated: false, args: [] });
        return { target: { kind: 'redirect', name, toPorts, extra }, issues };
      }
      return { target: { kind: 'masquerade', name, toPorts, random, randomFully, extra }, issues };
    }
    case 'MARK':
    case 'CONNMARK': {
      let value: number | null = null;
      let mask: number | null = null;
      for (const o of options) {
        const pair = [
          '--set-xmark',
          '--set-mark',
          '--or-mark',
          '--xor-mark',
          '--and-mark',
        ].includes(o.name)
          ? parseMarkPair(single(o))
          : null;
        if (pair === null) {
          extra.push(o);
          continue;
        }
        switch (o.name) {
          case '--set-xmark':
            value = pair.value;
            mask = pair.mask ?? 0xffffffff;
            break;
          case '--set-mark':
            value = pair.value;
            mask = ((pair.mask ?? 0xffffffff) | pair.value) >>> 0;
            break;
          case '--or-mark':
            value = pair.value;
            mask = pair.value;
            break;
          case '--xor-mark':
            value = pair.value;
            mask = 0;
            break;
          case '--and-mark':
            value = 0;
            mask = ~pair.value >>> 0;
            break;
        }
      }
      return { target: { kind: 'mark', name, value, mask, extra }, issues };
    }
    case 'REJECT': {
      let rejectWith = 'icmp-port-unreachable';
      for (const o of options) {
        if (o.name === '--reject-with') rejectWith = single(o);
        else extra.push(o);
      }
      return { target: { kind: 'reject', name, rejectWith, extra }, issues };
    }
    case 'LOG':
    case 'NFLOG':
    case 'ULOG': {
      let prefix: string | null = null;
      for (const o of options) {
        if (o.name === '--log-prefix' || o.name === '--nflog-prefix' || o.name === '--ulog-prefix')
          prefix = o.args.join(' ');
        else extra.push(o);
      }
      return { target: { kind: 'log', name, prefix, extra }, issues };
    }
  }
  if (VERDICTS.has(name) || KNOWN_TARGET_EXTENSIONS.has(name))
    return { target: { kind: 'generic', name, options, extra: [], unparsed: null }, issues };
  return { target: { kind: 'chain', name, chain: name, goto: false, extra: [...options] }, issues };
}
