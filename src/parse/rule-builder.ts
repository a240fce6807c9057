/**
 * From one rule line (save format `-A CHAIN ...`, `-S` format, or a bare rule spec) to a Rule:
 * tokenise, group with the chevrotain grammar, then give each option its meaning. Problems are
 * reported at the offending token; the rule keeps everything that could be read.
 */
import type { Match, MatchOption } from '../model/matches.js';
import { AddressMatch, Rule, type Counters } from '../model/rule.js';
import type { LineContext } from './context.js';
import { parseRuleTokens, type RuleElement } from './grammar.js';
import { newTokenBuffer, tokenizeRule, type LexError, type RuleToken } from './lexer.js';
import { buildMatch, isPortOption } from './matches.js';
import { buildTarget, type BuiltTarget } from './targets.js';
import { parseAddress, resetAddressCache, ValueError } from './values.js';

const buffer = newTokenBuffer();
const lexErrors: LexError[] = [];

/*
 * Matches and targets are immutable, and a dump repeats them by the thousand (`-m tcp`,
 * `-j KUBE-MARK-MASQ`, a service's comment on each of its rules). Keyed by their exact source
 * text, each distinct one is built once and shared.
 */
const MAX_SHARED = 200000;
const sharedMatches = new Map<string, Match>();
const sharedTargets = new Map<string, BuiltTarget>();

/** Forgets the shared objects of the previous input. Readers call it before each input. */
export function resetRuleCaches(): void {
  sharedMatches.clear();
  sharedTargets.clear();
  resetAddressCache();
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_SHARED) map.clear();
  map.set(key, value);
}

/** Index of the last element of the run of options that follows element `i`. */
function optionRunEnd(elements: readonly RuleElement[], i: number): number {
  let j = i;
  while (j + 1 < elements.length && elements[j + 1].type === 'option') j++;
  return j;
}

function lastTokenOfOption(el: Extract<RuleElement, { type: 'option' }>): number {
  return el.args.length > 0 ? el.args[el.args.length - 1] : el.name;
}

export interface RuleLine {
  /** The command flag and its words (`-A`, [`KUBE-SERVICES`]), or null for a bare spec. */
  readonly command: {
    readonly flag: string;
    readonly args: readonly string[];
    readonly offset: number;
  } | null;
  readonly counters: Counters | null;
  /** Apply the parsed spec to a Rule once the caller knows its table and chain. */
  readonly rule: Rule | null;
}

const CORE_OPTIONS = new Set([
  '-s',
  '--source',
  '--src',
  '-d',
  '--destination',
  '--dst',
  '-p',
  '--protocol',
  '-i',
  '--in-interface',
  '-o',
  '--out-interface',
  '-f',
  '--fragment',
  '-c',
  '--set-counters',
]);

/** CORE_OPTIONS.has(token text), without slicing the common two-character forms. */
function isCoreOption(t: RuleToken): boolean {
  const length = (t.endOffset ?? 0) - t.startOffset + 1;
  if (length === 2) {
    const source = (t as { source?: string }).source;
    if (source !== undefined) {
      const c = source.charCodeAt(t.startOffset + 1);
      // s d p i o f c
      return c === 115 || c === 100 || c === 112 || c === 105 || c === 111 || c === 102 || c === 99;
    }
  }
  return CORE_OPTIONS.has(t.image);
}

interface OpenModule {
  name: string;
  offset: number;
  options: MatchOption[];
  firstToken: number;
  lastToken: number;
  implicit: boolean;
}

interface OpenTarget {
  name: string;
  goto: boolean;
  offset: number;
  options: MatchOption[];
  stray: string;
  strayOffset: number;
  firstToken: number;
}

function optionOf(tokens: RuleToken[], el: Extract<RuleElement, { type: 'option' }>): MatchOption {
  const args: string[] = new Array<string>(el.args.length);
  for (let i = 0; i < el.args.length; i++) args[i] = tokens[el.args[i]].payload;
  return { name: tokens[el.name].image, negated: el.bang !== -1, args };
}

/**
 * Reads `text[start..end)` as a rule line. `makeRule` receives the chain named by `-A` (or
 * null for a bare spec) and returns a Rule to fill, or null if the caller cannot place it.
 */
export function readRuleLine(
  text: string,
  start: number,
  end: number,
  ctx: LineContext,
  makeRule: (chain: string | null, offset: number) => Rule | null,
): RuleLine {
  lexErrors.length = 0;
  tokenizeRule(text, start, end, buffer, lexErrors);
  for (const e of lexErrors) {
    ctx.report('error', 'syntax', e.offset, text.slice(e.offset, end), e.message, 'a closing "');
  }
  const tokens = buffer.tokens;
  const parsed = parseRuleTokens(buffer);
  for (const e of parsed.errors) {
    const t = e.token >= 0 ? tokens[e.token] : null;
    ctx.report(
      'error',
      'syntax',
      t !== null ? t.startOffset : end,
      t !== null ? t.image : '(end of line)',
      t !== null ? `unexpected "${t.image}"` : 'the rule ends too early',
      e.message,
    );
  }

  let counters: Counters | null = null;
  if (parsed.counters !== -1) counters = parseCounterPrefix(tokens[parsed.counters].image);

  let command: RuleLine['command'] = null;
  let rule: Rule | null = null;
  const elements = parsed.elements;
  let i = 0;
  if (elements.length > 0 && elements[0].type === 'command') {
    const c = elements[0];
    command = {
      flag: tokens[c.flag].image,
      args: c.args.map((a) => tokens[a].payload),
      offset: tokens[c.flag].startOffset,
    };
    i = 1;
  }
  const isRuleCommand = command === null || /^(-A|--append|-I|--insert)$/.test(command.flag);
  if (!isRuleCommand) return { command, counters, rule: null };
  const chainName = command !== null && command.args.length > 0 ? command.args[0] : null;
  if (command !== null && chainName === null) {
    ctx.report(
      'error',
      'syntax',
      command.offset,
      command.flag,
      `${command.flag} without a chain name`,
      `${command.flag} CHAIN`,
    );
  }
  rule = makeRule(chainName, command !== null ? command.offset : start);
  if (rule === null) return { command, counters, rule: null };
  rule.counters = counters;

  let module: OpenModule | null = null;
  let target: OpenTarget | null = null;
  let moduleKey: string | null = null;
  let targetKey: string | null = null;
  const matches: Match[] = [];

  const closeModule = (): void => {
    if (module === null) return;
    const m = module;
    module = null;
    try {
      const match = buildMatch(m.name, m.options);
      matches.push(match);
      if (moduleKey !== null) remember(sharedMatches, moduleKey, match);
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      const at = locate(tokens, m.firstToken, m.lastToken, err.offending) ?? m.offset;
      ctx.report(
        'error',
        'bad-value',
        at,
        err.offending ?? `-m ${m.name}`,
        `${m.implicit ? '' : `-m ${m.name}: `}${err.message}`,
        err.expected,
      );
      matches.push({ kind: 'generic', module: m.name, options: m.options, extra: [] });
    }
  };

  for (; i < elements.length; i++) {
    const el = elements[i];
    switch (el.type) {
      case 'command': {
        const t = tokens[el.flag];
        ctx.report(
          'error',
          'syntax',
          t.startOffset,
          t.image,
          `a second command "${t.image}" inside one rule`,
          'one -A per line',
        );
        break;
      }
      case 'stray': {
        const t = tokens[el.token];
        ctx.report(
          'error',
          'syntax',
          t.startOffset,
          t.image,
          `unexpected "${t.image}" where an option was expected`,
          'an option such as -m, -j or --dport',
        );
        break;
      }
      case 'module': {
        closeModule();
        moduleKey = null;
        if (el.stray.length === 0 && target === null) {
          const runEnd = optionRunEnd(elements, i);
          const last =
            runEnd > i
              ? lastTokenOfOption(elements[runEnd] as Extract<RuleElement, { type: 'option' }>)
              : el.name;
          const key = text.slice(
            tokens[el.flag].startOffset,
            tokens[last].startOffset + tokens[last].image.length,
          );
          const shared = sharedMatches.get(key);
          if (shared !== undefined) {
            matches.push(shared);
            for (let k = i + 1; k <= runEnd; k++) {
              const opt = elements[k] as Extract<RuleElement, { type: 'option' }>;
              if (isCoreOption(tokens[opt.name])) applyCore(rule, tokens, opt, ctx);
            }
            i = runEnd;
            break;
          }
          moduleKey = key;
        }
        if (target !== null) {
          // iptables-save never puts matches after the target; a pasted or hand-made rule might.
          ctx.report(
            'warning',
            'syntax',
            tokens[el.flag].startOffset,
            tokens[el.flag].image,
            'a match after the target',
            'matches before -j',
          );
        }
        const nameToken = tokens[el.name];
        module = {
          name: nameToken.payload,
          offset: tokens[el.flag].startOffset,
          options: [],
          firstToken: el.flag,
          lastToken: el.name,
          implicit: false,
        };
        if (el.stray.length > 0) {
          const first = tokens[el.stray[0]];
          // As written (spacing included), so the quoted text is what stands at the column.
          const words = spanText(text, tokens, el.stray);
          const revision = /unsupported revision/i.test(words);
          ctx.report(
            'error',
            revision ? 'unsupported-revision' : 'syntax',
            first.startOffset,
            words,
            revision
              ? `-m ${module.name} ${words}: saved by an iptables binary older than the one that wrote the rule (mixed iptables versions)`
              : `unexpected "${words}" after -m ${module.name}`,
            'options of the match',
          );
          module.options.push({
            name: '',
            negated: false,
            args: el.stray.map((s) => tokens[s].payload),
          });
        }
        break;
      }
      case 'target': {
        closeModule();
        const nameToken = tokens[el.name];
        if (el.stray.length === 0 && target === null) {
          const runEnd = optionRunEnd(elements, i);
          const last =
            runEnd > i
              ? lastTokenOfOption(elements[runEnd] as Extract<RuleElement, { type: 'option' }>)
              : el.name;
          targetKey = text.slice(
            tokens[el.flag].startOffset,
            tokens[last].startOffset + tokens[last].image.length,
          );
        }
        target = {
          name: nameToken.payload,
          goto: el.goto,
          offset: tokens[el.flag].startOffset,
          options: [],
          stray: spanText(text, tokens, el.stray),
          strayOffset:
            el.stray.length > 0 ? tokens[el.stray[0]].startOffset : nameToken.startOffset,
          firstToken: el.flag,
        };
        if (rule.target !== null)
          ctx.report(
            'error',
            'syntax',
            tokens[el.flag].startOffset,
            tokens[el.flag].image,
            'a second target in one rule',
            'one -j or -g',
          );
        break;
      }
      case 'option': {
        const nameToken = tokens[el.name];
        if (isCoreOption(nameToken)) {
          applyCore(rule, tokens, el, ctx);
          break;
        }
        const name = nameToken.image;
        const option = optionOf(tokens, el);
        if (target !== null) {
          target.options.push(option);
          break;
        }
        if (module === null && isPortOption(name) && rule.protocol !== null) {
          // `-p tcp --dport 80` without `-m tcp`: iptables loads the protocol's module itself.
          module = {
            name: rule.protocol.name,
            offset: nameToken.startOffset,
            options: [],
            firstToken: el.name,
            lastToken: el.name,
            implicit: true,
          };
        }
        if (module === null) {
          ctx.report(
            'error',
            'syntax',
            nameToken.startOffset,
            name,
            `option ${name} outside any match module`,
            'a -m MODULE before it',
          );
          matches.push({ kind: 'generic', module: '', options: [option], extra: [] });
          break;
        }
        module.options.push(option);
        module.lastToken = Math.max(el.name, ...el.args);
        break;
      }
    }
  }
  closeModule();
  rule.matches = matches;
  if (target !== null) {
    const t: OpenTarget = target;
    try {
      let built = targetKey !== null ? sharedTargets.get(targetKey) : undefined;
      if (built === undefined) {
        built = buildTarget(t.name, t.goto, t.options, t.stray);
        if (targetKey !== null) remember(sharedTargets, targetKey, built);
      }
      rule.target = built.target;
      rule.targetColumn = ctx.column(t.offset);
      for (const issue of built.issues) {
        const at = issue.code === 'unsupported-revision' ? t.strayOffset : t.offset;
        ctx.report('warning', issue.code, at, text.slice(at, end), issue.message, null);
      }
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      const at = locate(tokens, t.firstToken, buffer.count - 1, err.offending) ?? t.offset;
      ctx.report(
        'error',
        'bad-value',
        at,
        err.offending ?? `-j ${t.name}`,
        `-j ${t.name}: ${err.message}`,
        err.expected,
      );
      rule.target = {
        kind: 'generic',
        name: t.name,
        options: t.options,
        extra: [],
        unparsed: null,
      };
      rule.targetColumn = ctx.column(t.offset);
    }
  }
  return { command, counters, rule };
}

/** The input text from the first to the last of these tokens; '' for none. */
function spanText(text: string, tokens: RuleToken[], indices: readonly number[]): string {
  if (indices.length === 0) return '';
  const first = tokens[indices[0]];
  const last = tokens[indices[indices.length - 1]];
  return text.slice(first.startOffset, last.startOffset + last.image.length);
}

function locate(
  tokens: RuleToken[],
  from: number,
  to: number,
  value: string | null,
): number | null {
  if (value === null) return null;
  // Point inside the quotes of a quoted value, so the quoted text stands at the column.
  for (let k = from; k <= to && k < tokens.length; k++) {
    const t = tokens[k];
    if (t.payload === value) return t.startOffset + (t.image === value ? 0 : 1);
  }
  for (let k = from; k <= to && k < tokens.length; k++) {
    const idx = tokens[k].image.indexOf(value);
    if (idx !== -1) return tokens[k].startOffset + idx;
  }
  return null;
}

function applyCore(
  rule: Rule,
  tokens: RuleToken[],
  el: Extract<RuleElement, { type: 'option' }>,
  ctx: LineContext,
): void {
  const nameToken = tokens[el.name];
  const name = nameToken.image;
  const negated = el.bang !== -1;
  if (name === '-f' || name === '--fragment') {
    rule.fragment = { negated };
    return;
  }
  if (name === '-c' || name === '--set-counters') {
    // `iptables -S -v` prints `-c PKTS BYTES`.
    if (
      el.args.length === 2 &&
      /^\d+$/.test(tokens[el.args[0]].image) &&
      /^\d+$/.test(tokens[el.args[1]].image)
    ) {
      rule.counters = {
        packets: Number(tokens[el.args[0]].image),
        bytes: Number(tokens[el.args[1]].image),
        exact: true,
      };
    } else {
      ctx.report(
        'error',
        'bad-value',
        nameToken.startOffset,
        name,
        `${name} needs two numbers`,
        `${name} PACKETS BYTES`,
      );
    }
    return;
  }
  if (el.args.length !== 1) {
    const at = el.args.length > 1 ? tokens[el.args[1]].startOffset : nameToken.startOffset;
    ctx.report(
      'error',
      'bad-value',
      at,
      el.args.length > 1 ? tokens[el.args[1]].image : name,
      `${name} takes one value, got ${el.args.length === 0 ? 'none' : el.args.length}`,
      `${name} VALUE`,
    );
    if (el.args.length === 0) return;
  }
  const valueToken = tokens[el.args[0]];
  const value = valueToken.payload;
  switch (name) {
    case '-s':
    case '--source':
    case '--src':
    case '-d':
    case '--destination':
    case '--dst': {
      let address;
      try {
        address = parseAddress(value, negated);
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        ctx.report(
          'error',
          'bad-value',
          valueToken.startOffset,
          value,
          `${name}: ${err.message}`,
          err.expected,
        );
        address = new AddressMatch(negated, value);
      }
      if (name.startsWith('-s') || name === '--source' || name === '--src') rule.source = address;
      else rule.destination = address;
      return;
    }
    case '-p':
    case '--protocol':
      rule.protocol = { negated, name: value.toLowerCase() };
      return;
    case '-i':
    case '--in-interface':
      rule.inInterface = { negated, name: value };
      return;
    case '-o':
    case '--out-interface':
      rule.outInterface = { negated, name: value };
      return;
  }
}

const COUNTER_RE = /^\[(\d+):(\d+)\]$/;

export function parseCounterPrefix(image: string): Counters | null {
  const m = COUNTER_RE.exec(image);
  if (m === null) return null;
  return { packets: Number(m[1]), bytes: Number(m[2]), exact: true };
}
