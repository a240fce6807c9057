/**
 * The chevrotain grammar of one iptables rule specification:
 *
 *   line    := CounterPrefix? element*
 *   element := CommandFlag arg*            (-A CHAIN, -I CHAIN N, -N CHAIN, -P CHAIN POLICY)
 *            | MatchFlag arg arg*           (-m MODULE)
 *            | (JumpFlag | GotoFlag) arg arg*
 *            | Bang? Option Bang? arg*      ([!] --opt [!] values)
 *   arg     := Word | Quoted
 *
 * The grammar only groups words; what an option means (and how many values it takes) is the
 * business of the module tables in `modules.ts`, because iptables' own grammar is per module.
 * Embedded actions build compact element records directly: no CST, which on a million-line dump
 * would cost gigabytes.
 */
import { EmbeddedActionsParser, EOF, type IRecognitionException } from 'chevrotain';
import {
  allTokens,
  Bang,
  CommandFlag,
  CounterPrefix,
  GotoFlag,
  JumpFlag,
  MatchFlag,
  Option,
  Quoted,
  Word,
  type RuleToken,
  type TokenBuffer,
} from './lexer.js';

/** Elements refer to tokens by their index in the line, so a parse can be reused for any line
 * with the same token classes. */
export interface CommandElement {
  readonly type: 'command';
  readonly flag: number;
  readonly args: readonly number[];
}

export interface ModuleElement {
  readonly type: 'module';
  readonly flag: number;
  readonly name: number;
  /** Words after the module name that belong to no option (`[unsupported revision]`). */
  readonly stray: readonly number[];
}

export interface TargetElement {
  readonly type: 'target';
  readonly flag: number;
  readonly goto: boolean;
  readonly name: number;
  readonly stray: readonly number[];
}

export interface OptionElement {
  readonly type: 'option';
  readonly name: number;
  /** Index of the `!` token, or -1. */
  readonly bang: number;
  readonly args: readonly number[];
}

export interface StrayElement {
  readonly type: 'stray';
  readonly token: number;
}

export type RuleElement =
  CommandElement | ModuleElement | TargetElement | OptionElement | StrayElement;

export interface GrammarError {
  /** Index of the offending token, or -1 when the line ended too early. */
  readonly token: number;
  readonly message: string;
}

export interface ParsedLine {
  /** Index of the `[pkts:bytes]` prefix token, or -1. */
  readonly counters: number;
  readonly elements: readonly RuleElement[];
  readonly errors: readonly GrammarError[];
}

interface LineResult {
  counters: number;
  elements: RuleElement[];
}

class RuleGrammar extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { recoveryEnabled: false, maxLookahead: 2 });
    this.performSelfAnalysis();
  }

  private readonly arg = this.RULE('arg', (): number => {
    const t = this.OR([{ ALT: () => this.CONSUME(Word) }, { ALT: () => this.CONSUME(Quoted) }]);
    return (t as RuleToken).index;
  });

  private readonly args = this.RULE('args', (): number[] => {
    const out: number[] = [];
    this.MANY(() => {
      const t = this.SUBRULE(this.arg);
      this.ACTION(() => out.push(t));
    });
    return out;
  });

  private readonly optionElement = this.RULE('optionElement', (): OptionElement => {
    let bang = -1;
    this.OPTION(() => {
      bang = (this.CONSUME(Bang) as RuleToken).index;
    });
    const name = (this.CONSUME(Option) as RuleToken).index;
    this.OPTION2(() => {
      bang = (this.CONSUME2(Bang) as RuleToken).index;
    });
    const args = this.SUBRULE(this.args);
    return { type: 'option', name, bang, args };
  });

  private readonly element = this.RULE('element', (): RuleElement => {
    return this.OR([
      {
        ALT: (): RuleElement => {
          const flag = (this.CONSUME(CommandFlag) as RuleToken).index;
          const args = this.SUBRULE(this.args);
          return { type: 'command', flag, args };
        },
      },
      {
        ALT: (): RuleElement => {
          const flag = (this.CONSUME(MatchFlag) as RuleToken).index;
          const name = this.SUBRULE2(this.arg);
          const stray = this.SUBRULE2(this.args);
          return { type: 'module', flag, name, stray };
        },
      },
      {
        ALT: (): RuleElement => {
          const flagToken = this.OR2([
            { ALT: () => this.CONSUME(JumpFlag) },
            { ALT: () => this.CONSUME(GotoFlag) },
          ]) as RuleToken;
          const name = this.SUBRULE3(this.arg);
          const stray = this.SUBRULE3(this.args);
          return {
            type: 'target',
            flag: flagToken.index,
            goto: flagToken.tokenType === GotoFlag,
            name,
            stray,
          };
        },
      },
      { ALT: (): RuleElement => this.SUBRULE(this.optionElement) },
      {
        // A word where an option was expected: kept so the caller can report it precisely
        // and read on, instead of abandoning the whole line.
        ALT: (): RuleElement => ({ type: 'stray', token: this.SUBRULE4(this.arg) }),
      },
    ]);
  });

  /**
   * Filled as elements are recognised, so what was read before a syntax error survives the
   * exception that ends the rule.
   */
  collected: LineResult = { counters: -1, elements: [] };

  readonly line = this.RULE('line', (): void => {
    this.OPTION(() => {
      const t = this.CONSUME(CounterPrefix) as RuleToken;
      this.ACTION(() => {
        this.collected.counters = t.index;
      });
    });
    this.MANY(() => {
      const e = this.SUBRULE(this.element);
      this.ACTION(() => this.collected.elements.push(e));
    });
  });
}

let shared: RuleGrammar | null = null;

function grammar(): RuleGrammar {
  shared ??= new RuleGrammar();
  return shared;
}

/**
 * Memo of parses by token-class sequence, as a trie walked token by token: no key string is
 * built per line. Bounded: past MAX_MEMO distinct shapes (only hostile input has that many) it
 * starts over.
 */
interface MemoNode {
  readonly next: (MemoNode | undefined)[];
  parsed: ParsedLine | null;
}

const MAX_MEMO = 20000;
let memoRoot: MemoNode = { next: [], parsed: null };
let memoSize = 0;

function describe(e: IRecognitionException): GrammarError {
  const t = e.token as RuleToken | undefined;
  const atEnd = t === undefined || t.tokenType === EOF || typeof t.index !== 'number';
  const message = e.message.replace(/\s+/g, ' ').replace(/<(\w+)>/g, '$1');
  return { token: atEnd ? -1 : t.index, message };
}

/**
 * Groups the live tokens of `buf` into elements. The grammar looks only at token classes, so the
 * result is memoised by the sequence of classes: a million-line dump has a few hundred distinct
 * sequences, and each is run through chevrotain once. On a syntax error the offending token is
 * reported and skipped and parsing resumes after it, so one bad word never loses a rule.
 */
export function parseRuleTokens(buf: TokenBuffer): ParsedLine {
  let node = memoRoot;
  for (let i = 0; i < buf.count; i++) {
    const code = buf.tokens[i].classCode;
    let child = node.next[code];
    if (child === undefined) {
      child = { next: [], parsed: null };
      node.next[code] = child;
    }
    node = child;
  }
  if (node.parsed !== null) return node.parsed;
  const parsed = parseUncached(buf);
  if (memoSize >= MAX_MEMO) {
    memoRoot = { next: [], parsed: null };
    memoSize = 0;
  } else {
    node.parsed = parsed;
    memoSize++;
  }
  return parsed;
}

function parseUncached(buf: TokenBuffer): ParsedLine {
  const g = grammar();
  const elements: RuleElement[] = [];
  const errors: GrammarError[] = [];
  let counters = -1;
  let from = 0;
  while (from < buf.count) {
    g.input = buf.tokens.slice(from, buf.count);
    g.collected = { counters: -1, elements: [] };
    g.line();
    const result = g.collected;
    if (from === 0) counters = result.counters;
    elements.push(...result.elements);
    if (g.errors.length === 0) break;
    const error = describe(g.errors[0]);
    errors.push(error);
    // Resume after the offending token, or after the last token consumed before the line ended.
    const consumedUpTo = lastTokenOf(result.elements);
    const resume = error.token >= 0 ? error.token + 1 : buf.count;
    from = Math.max(resume, consumedUpTo + 1, from + 1);
  }
  return { counters, elements, errors };
}

function lastTokenOf(elements: readonly RuleElement[]): number {
  let last = -1;
  for (const e of elements) {
    switch (e.type) {
      case 'command':
        last = Math.max(last, e.flag, ...e.args);
        break;
      case 'module':
        last = Math.max(last, e.name, ...e.stray);
        break;
      case 'target':
        last = Math.max(last, e.name, ...e.stray);
        break;
      case 'option':
        last = Math.max(last, e.name, e.bang, ...e.args);
        break;
      case 'stray':
        last = Math.max(last, e.token);
        break;
    }
  }
  return last;
}

/** For tests: the grammar instance, to check that chevrotain's optimisations are on. */
export function grammarForTests(): EmbeddedActionsParser {
  return grammar();
}
