/**
 * From one rule line (save format `-A CHAIN ...`, `-S` format, or a bare rule spec) to a Rule:
 * tokenise, group with the chevrotain grammar, then give each option its meaning. Problems are
 * reported at the offending token; the rule keeps everything that could be read.
 */
import type { Match, MatchOption } from '../model/matches.js';
import type { ProblemSeverity } from '../model/problems.js';
import { AddressMatch, Rule, type Counters, type ProtocolMatch } from '../model/rule.js';
import type { LineContext } from './context.js';
import { parseRuleTokens, type RuleElement } from './grammar.js';
import { newTokenBuffer, tokenizeRule, type LexError, type RuleToken } from './lexer.js';
import { buildMatch, isPortOption } from './matches.js';
import { SpanTable } from './span-table.js';
import { buildTarget, type BuiltTarget } from './targets.js';
import { newAddress, parseAddress, resetAddressCache, ValueError } from './values.js';

const buffer = newTokenBuffer();
const lexErrors: LexError[] = [];

/*
 * Matches and targets are immutable, and a dump repeats them by the thousand (`-m tcp`,
 * `-j KUBE-MARK-MASQ`, a service's comment on each of its rules). Keyed by their exact source
 * text, each distinct one is built once and shared.
 */
const MAX_SHARED = 200000;
const sharedMatches = new SpanTable<Match>(MAX_SHARED);
const sharedTargets = new SpanTable<BuiltTarget>(MAX_SHARED);
/** Addresses by their text (`-s`/`-d` values; one table per negation). */
const sharedAddresses = [
  new SpanTable<AddressMatch>(MAX_SHARED),
  new SpanTable<AddressMatch>(MAX_SHARED),
];

/*
 * Match lists (`Rule.matches` is read-only) are shared too: most rules of a kube-proxy dump have
 * none, or one shared match (`-m tcp` of a DNAT, `-m statistic` of a ladder step).
 */
const NO_MATCHES: readonly Match[] = [];
const singleMatchLists = new Map<Match, readonly Match[]>();

/** The rule's match list: a shared one for none or one match, else an exact-size copy. */
function shareMatchList(list: readonly Match[]): readonly Match[] {
  if (list.length === 0) return NO_MATCHES;
  if (list.length > 1) return list.slice();
  const match = list[0];
  let shared = singleMatchLists.get(match);
  if (shared === undefined) {
    shared = [match];
    if (singleMatchLists.size >= MAX_SHARED) singleMatchLists.clear();
    singleMatchLists.set(match, shared);
  }
  return shared;
}

/** `-p` values: a handful per dump, on most of its rules. */
const sharedProtocols = [new Map<string, ProtocolMatch>(), new Map<string, ProtocolMatch>()];

function protocolMatch(value: string, negated: boolean): ProtocolMatch {
  const cache = sharedProtocols[negated ? 1 : 0];
  let protocol = cache.get(value);
  if (protocol === undefined) {
    protocol = { negated, name: value.toLowerCase() };
    remember(cache, value, protocol);
  }
  return protocol;
}

/**
 * The read the caches hold objects of. Their keys are offsets into that read's text: a chain
 * parsed later (deferred rules) may only use them while no other input was read in between.
 */
let cacheOwner: object | null = null;

/**
 * Makes the caches `owner`'s: kept when they already are (so rules of one input parsed at
 * different times share objects), emptied when they belong to another input or to none.
 */
export function claimRuleCaches(owner: object): void {
  if (cacheOwner === owner) return;
  resetRuleCaches();
  cacheOwner = owner;
}

/** Empties the caches if they are `owner`'s, once it has nothing more to parse. */
export function releaseRuleCaches(owner: object): void {
  if (cacheOwner === owner) resetRuleCaches();
}

/** Forgets the shared objects of the previous input. Readers call it before each input. */
export function resetRuleCaches(): void {
  cacheOwner = null;
  sharedMatches.clear();
  sharedTargets.clear();
  sharedAddresses[0].clear();
  sharedAddresses[1].clear();
  singleMatchLists.clear();
  sharedProtocols[0].clear();
  sharedProtocols[1].clear();
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

/** The last token of element `i` (whose last own token is `name`) and its options up to `runEnd`. */
function lastTokenOfRun(
  elements: readonly RuleElement[],
  i: number,
  runEnd: number,
  name: number,
): number {
  if (runEnd === i) return name;
  const last = elements[runEnd] as Extract<RuleElement, { type: 'option' }>;
  return last.args.length > 0 ? last.args[last.args.length - 1] : last.name;
}

/**
 * What `readRuleLine` read. One object, reused from call to call: read it before the next call.
 */
export interface RuleLine {
  /** The command flag (`-A`, `--append`, `-I`, ...) and where it stands, or null for a bare spec. */
  readonly command: {
    readonly flag: string;
    readonly offset: number;
  } | null;
  readonly counters: Counters | null;
  /** The Rule `makeRule` gave, filled; null when there was none to fill. */
  readonly rule: Rule | null;
}

interface MutableRuleLine {
  command: { flag: string; offset: number } | null;
  counters: Counters | null;
  rule: Rule | null;
}

const lineResult: MutableRuleLine = { command: null, counters: null, rule: null };
const lineCommand = { flag: '', offset: 0 };

function result(
  command: MutableRuleLine['command'],
  counters: Counters | null,
  rule: Rule | null,
): RuleLine {
  lineResult.command = command;
  lineResult.counters = counters;
  lineResult.rule = rule;
  return lineResult;
}

/** The text of a command flag; the common `-A` without cutting it out of the line. */
function flagText(text: string, t: RuleToken): string {
  if (t.endOffset === t.startOffset + 1 && text.charCodeAt(t.startOffset + 1) === 65 /* A */)
    return '-A';
  return t.image;
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

const CORE_LONG_OPTIONS = [...CORE_OPTIONS].filter((o) => o.length > 2);

/** CORE_OPTIONS.has(token text), without slicing the token's text out of its line. */
function isCoreOption(t: RuleToken): boolean {
  const source = (t as { source?: string }).source;
  if (source === undefined || t.endOffset === undefined) return CORE_OPTIONS.has(t.image);
  const start = t.startOffset;
  const length = t.endOffset - start + 1;
  if (length === 2) {
    const c = source.charCodeAt(start + 1);
    // s d p i o f c
    return c === 115 || c === 100 || c === 112 || c === 105 || c === 111 || c === 102 || c === 99;
  }
  for (const option of CORE_LONG_OPTIONS) {
    if (option.length === length && source.startsWith(option, start)) return true;
  }
  return false;
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

/** The target being read; one object, reused from line to line. */
const openTarget: OpenTarget = {
  name: '',
  goto: false,
  offset: 0,
  options: [],
  stray: '',
  strayOffset: 0,
  firstToken: 0,
};

const NO_OPTIONS: readonly MatchOption[] = [];

function optionOf(
  tokens: RuleToken[],
  el: Extract<RuleElement, { type: 'option' }>,
  name: string,
): MatchOption {
  const args: string[] = new Array<string>(el.args.length);
  for (let i = 0; i < el.args.length; i++) args[i] = tokens[el.args[i]].payload;
  return { name, negated: el.bang !== -1, args };
}

/** Offset just past the token (its image's length, without slicing it). */
function tokenEnd(t: RuleToken): number {
  return t.endOffset !== undefined ? t.endOffset + 1 : t.startOffset + t.image.length;
}

/** The matches of the rule being read; copied into the rule at its end. */
const matchList: Match[] = [];

/** The source text an object is shared by: text[start..end), or none when start is -1. */
interface SourceKey {
  text: string;
  start: number;
  end: number;
  hash: number;
}

const moduleKey: SourceKey = { text: '', start: -1, end: 0, hash: 0 };
const targetKey: SourceKey = { text: '', start: -1, end: 0, hash: 0 };

function setKey(key: SourceKey, text: string, start: number, end: number): void {
  key.text = text;
  key.start = start;
  key.end = end;
  key.hash = SpanTable.hash(text, start, end);
}

function isRuleFlag(flag: string): boolean {
  return flag === '-A' || flag === '--append' || flag === '-I' || flag === '--insert';
}

/** Builds the match of a finished `-m` (or implicit) module, shared by its source text. */
function closeModule(
  m: OpenModule,
  key: SourceKey,
  matches: Match[],
  tokens: RuleToken[],
  ctx: LineContext,
): void {
  try {
    const match = buildMatch(m.name, m.options);
    matches.push(match);
    if (key.start !== -1) sharedMatches.set(key.text, key.start, key.end, key.hash, match);
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
  if (lexErrors.length !== 0) lexErrors.length = 0;
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

  let command: MutableRuleLine['command'] = null;
  let chainName: string | null = null;
  const elements = parsed.elements;
  let i = 0;
  if (elements.length > 0 && elements[0].type === 'command') {
    const c = elements[0];
    command = lineCommand;
    command.flag = flagText(text, tokens[c.flag]);
    command.offset = tokens[c.flag].startOffset;
    // The command's words: the chain name first (`-I CHAIN N` has a number after it).
    if (c.args.length > 0) chainName = tokens[c.args[0]].payload;
    i = 1;
  }
  const isRuleCommand = command === null || isRuleFlag(command.flag);
  if (!isRuleCommand) return result(command, counters, null);
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
  const rule = makeRule(chainName, command !== null ? command.offset : start);
  if (rule === null) return result(command, counters, null);
  rule.counters = counters;

  let module: OpenModule | null = null;
  let target: OpenTarget | null = null;
  moduleKey.start = -1;
  targetKey.start = -1;
  let sharedTarget: BuiltTarget | null = null;
  let sharedTargetOffset = 0;
  let sharedTargetNameOffset = 0;
  const matches = matchList;
  if (matches.length !== 0) matches.length = 0;

  for (; i < elements.length; i++) {
    const el = elements[i];
    switch (el.type) {
      case 'command': {
        const t = tokens[el.flag];
        reportSyntax(
          ctx,
          'error',
          t,
          `a second command "${t.image}" inside one rule`,
          'one -A per line',
        );
        break;
      }
      case 'stray': {
        const t = tokens[el.token];
        reportSyntax(
          ctx,
          'error',
          t,
          `unexpected "${t.image}" where an option was expected`,
          'an option such as -m, -j or --dport',
        );
        break;
      }
      case 'module': {
        if (module !== null) closeModule(module, moduleKey, matches, tokens, ctx);
        module = null;
        moduleKey.start = -1;
        if (el.stray.length === 0 && target === null) {
          const runEnd = optionRunEnd(elements, i);
          const last = lastTokenOfRun(elements, i, runEnd, el.name);
          const keyStart = tokens[el.flag].startOffset;
          const keyEnd = tokenEnd(tokens[last]);
          const keyHash = SpanTable.hash(text, keyStart, keyEnd);
          const shared = sharedMatches.get(text, keyStart, keyEnd, keyHash);
          if (shared !== undefined) {
            matches.push(shared);
            for (let k = i + 1; k <= runEnd; k++) {
              const opt = elements[k] as Extract<RuleElement, { type: 'option' }>;
              if (isCoreOption(tokens[opt.name])) applyCore(text, rule, tokens, opt, ctx);
            }
            i = runEnd;
            break;
          }
          moduleKey.text = text;
          moduleKey.start = keyStart;
          moduleKey.end = keyEnd;
          moduleKey.hash = keyHash;
        }
        if (target !== null) {
          // iptables-save never puts matches after the target; a pasted or hand-made rule might.
          reportSyntax(
            ctx,
            'warning',
            tokens[el.flag],
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
        if (module !== null) closeModule(module, moduleKey, matches, tokens, ctx);
        module = null;
        const nameToken = tokens[el.name];
        if (el.stray.length === 0 && target === null) {
          const runEnd = optionRunEnd(elements, i);
          const last = lastTokenOfRun(elements, i, runEnd, el.name);
          setKey(targetKey, text, tokens[el.flag].startOffset, tokenEnd(tokens[last]));
          if (runEnd === elements.length - 1) {
            // The target and its options end the line (as iptables-save writes every rule):
            // when that text was seen before, its target is taken as built, without reading
            // the options again. Core options among them (never there in iptables-save
            // output) still apply to the rule.
            const shared = sharedTargets.get(text, targetKey.start, targetKey.end, targetKey.hash);
            if (shared !== undefined) {
              for (let k = i + 1; k <= runEnd; k++) {
                const opt = elements[k] as Extract<RuleElement, { type: 'option' }>;
                if (isCoreOption(tokens[opt.name])) applyCore(text, rule, tokens, opt, ctx);
              }
              sharedTarget = shared;
              sharedTargetOffset = tokens[el.flag].startOffset;
              sharedTargetNameOffset = nameToken.startOffset;
              i = runEnd;
              break;
            }
          }
        }
        target = openTarget;
        target.name = nameToken.payload;
        target.goto = el.goto;
        target.offset = tokens[el.flag].startOffset;
        if (target.options.length !== 0) target.options.length = 0;
        target.stray = spanText(text, tokens, el.stray);
        target.strayOffset =
          el.stray.length > 0 ? tokens[el.stray[0]].startOffset : nameToken.startOffset;
        target.firstToken = el.flag;
        if (rule.target !== null)
          reportSyntax(
            ctx,
            'error',
            tokens[el.flag],
            'a second target in one rule',
            'one -j or -g',
          );
        break;
      }
      case 'option': {
        const nameToken = tokens[el.name];
        if (isCoreOption(nameToken)) {
          applyCore(text, rule, tokens, el, ctx);
          break;
        }
        const name = nameToken.image;
        const option = optionOf(tokens, el, name);
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
  if (module !== null) closeModule(module, moduleKey, matches, tokens, ctx);
  rule.matches = shareMatchList(matches);
  if (sharedTarget !== null) {
    // Taken whole from an identical target text (which had no stray words).
    rule.target = sharedTarget.target;
    rule.targetColumn = ctx.column(sharedTargetOffset);
    for (const issue of sharedTarget.issues) {
      const at =
        issue.code === 'unsupported-revision' ? sharedTargetNameOffset : sharedTargetOffset;
      ctx.report('warning', issue.code, at, text.slice(at, end), issue.message, null);
    }
  } else if (target !== null) {
    const t: OpenTarget = target;
    // The open target's list is reused from line to line: the target keeps a copy.
    const options = t.options.length === 0 ? NO_OPTIONS : t.options.slice();
    try {
      const k = targetKey;
      let built = k.start !== -1 ? sharedTargets.get(k.text, k.start, k.end, k.hash) : undefined;
      if (built === undefined) {
        built = buildTarget(t.name, t.goto, options, t.stray);
        if (k.start !== -1) sharedTargets.set(k.text, k.start, k.end, k.hash, built);
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
        options,
        extra: [],
        unparsed: null,
      };
      rule.targetColumn = ctx.column(t.offset);
    }
  }
  return result(command, counters, rule);
}

/** The input text from the first to the last of these tokens; '' for none. */
/** Reports a syntax problem that quotes one token as written. */
function reportSyntax(
  ctx: LineContext,
  severity: ProblemSeverity,
  token: RuleToken,
  message: string,
  expected: string,
): void {
  ctx.report(severity, 'syntax', token.startOffset, token.image, message, expected);
}

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
  text: string,
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
  switch (name) {
    case '-s':
    case '--source':
    case '--src':
    case '-d':
    case '--destination':
    case '--dst': {
      const address = addressOf(text, valueToken, negated, name, ctx);
      if (name.startsWith('-s') || name === '--source' || name === '--src') rule.source = address;
      else rule.destination = address;
      return;
    }
    case '-p':
    case '--protocol':
      rule.protocol = protocolMatch(valueToken.payload, negated);
      return;
    case '-i':
    case '--in-interface':
      rule.inInterface = { negated, name: valueToken.payload };
      return;
    case '-o':
    case '--out-interface':
      rule.outInterface = { negated, name: valueToken.payload };
      return;
  }
}

/**
 * The address of a `-s`/`-d` value. Equal addresses share one object, found by the text as
 * written (a quoted value, never in iptables-save output, by its unquoted text).
 */
function addressOf(
  text: string,
  token: RuleToken,
  negated: boolean,
  option: string,
  ctx: LineContext,
): AddressMatch {
  const start = token.startOffset;
  const end = tokenEnd(token);
  const first = text.charCodeAt(start);
  const quoted = first === 34 /* " */ || first === 39; /* ' */
  const table = sharedAddresses[negated ? 1 : 0];
  const hash = quoted ? 0 : SpanTable.hash(text, start, end);
  if (!quoted) {
    const shared = table.get(text, start, end, hash);
    if (shared !== undefined) return shared;
  }
  const value = token.payload;
  try {
    if (quoted) return parseAddress(value, negated);
    const address = newAddress(value, negated);
    table.set(text, start, end, hash, address);
    return address;
  } catch (err) {
    if (!(err instanceof ValueError)) throw err;
    ctx.report('error', 'bad-value', start, value, `${option}: ${err.message}`, err.expected);
    return new AddressMatch(negated, value);
  }
}

const COUNTER_RE = /^\[(\d+):(\d+)\]$/;

export function parseCounterPrefix(image: string): Counters | null {
  const m = COUNTER_RE.exec(image);
  if (m === null) return null;
  return { packets: Number(m[1]), bytes: Number(m[2]), exact: true };
}
