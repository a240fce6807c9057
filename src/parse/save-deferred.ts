/**
 * Rule lines of an iptables-save dump kept as text, to parse when their chain's rules are first
 * read (`ReadOptions.deferRules`). A later parse reads each line with the same code as the eager
 * read, so rules and problems come out as that read would have made them; the problems are
 * appended to the ruleset's when the chain is read.
 */
import type { Chain, DeferredRules, Ruleset, Table } from '../model/ruleset.js';
import { Rule } from '../model/rule.js';
import { LineContext, ProblemLog } from './context.js';
import { finishRule } from './finish.js';
import { claimRuleCaches, readRuleLine, releaseRuleCaches } from './rule-builder.js';

/** Numbers per recorded line: its start, the start of its rule text, its end, its number. */
const SPAN = 4;

/** The deferred lines of one read, the text they point into, the ruleset they report to. */
export class DeferredSave {
  /**
   * Owns the rule builder's caches for this read. Not the read itself: the module holds its
   * owner until the next input, and should not keep a ruleset alive that long.
   */
  readonly cacheOwner = {};
  private spans = new Int32Array(SPAN * 1024);
  private count = 0;
  /** Chains whose lines are not parsed yet. */
  private pending = 0;
  private readonly ctx: LineContext;
  /** The chain being parsed and the line being read, for `makeRule` (one closure per read). */
  private chain: Chain | null = null;
  private lineStart = 0;
  private lineNo = 0;
  private readonly makeRule = (chainName: string | null, offset: number): Rule | null => {
    const chain = this.chain;
    // As the eager read: a line the grammar found no chain name in makes no rule.
    if (chain === null || chainName === null) return null;
    const rule = new Rule(chain.table, chain.name, this.lineNo, offset - this.lineStart + 1);
    chain.appendRule(rule);
    rule.index = chain.ruleCount;
    return rule;
  };

  constructor(
    private readonly text: string,
    private readonly ruleset: Ruleset,
  ) {
    this.ctx = new LineContext(new ProblemLog(ruleset.file, ruleset.problems), 0, 0);
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** The (empty) deferred rules of a chain of `table`; the caller hands them to the chain. */
  rulesOf(table: Table): DeferredSaveRules {
    this.pending++;
    return new DeferredSaveRules(this, table);
  }

  /** Records a rule line; returns its entry number. */
  record(lineStart: number, start: number, end: number, lineNo: number): number {
    if ((this.count + 1) * SPAN > this.spans.length) {
      const grown = new Int32Array(this.spans.length * 2);
      grown.set(this.spans);
      this.spans = grown;
    }
    const at = this.count * SPAN;
    this.spans[at] = lineStart;
    this.spans[at + 1] = start;
    this.spans[at + 2] = end;
    this.spans[at + 3] = lineNo;
    return this.count++;
  }

  /** Drops the spare room of the span buffer once the whole input is read. */
  trim(): void {
    this.spans = this.spans.slice(0, this.count * SPAN);
  }

  /**
   * Parses `count` entries into `chain`, among the rules the eager path already gave it: `first`
   * and the ones after it, or those `listed`.
   */
  materialize(
    chain: Chain,
    table: Table,
    first: number,
    count: number,
    listed: readonly number[] | null,
  ): void {
    claimRuleCaches(this.cacheOwner);
    const had = chain.ruleCount;
    const { text, spans, ctx } = this;
    this.chain = chain;
    try {
      for (let k = 0; k < count; k++) {
        const at = (listed !== null ? listed[k] : first + k) * SPAN;
        this.lineStart = spans[at];
        this.lineNo = spans[at + 3];
        ctx.moveTo(this.lineNo, this.lineStart);
        readRuleLine(text, spans[at + 1], spans[at + 2], ctx, this.makeRule);
      }
    } finally {
      this.chain = null;
      // The last chain read: the caches and the text are not needed any more.
      if (--this.pending === 0) {
        releaseRuleCaches(this.cacheOwner);
        this.spans = new Int32Array(0);
      }
    }
    if (had > 0) {
      // Lines the fast path could not read went the eager way, ahead of these: merged by line.
      const rules = chain.rules;
      rules.sort((a, b) => a.line - b.line);
      for (let i = 0; i < rules.length; i++) rules[i].index = i + 1;
    }
    chain.trimRules();
    // finishRuleset skipped the chain: all its rules are finished here, in chain order.
    for (const rule of chain.rules) finishRule(this.ruleset, table, rule, ctx.log);
  }
}

/** One chain's deferred lines: entry numbers in the read's span buffer. */
export class DeferredSaveRules implements DeferredRules {
  count = 0;
  /** First entry; the entries are consecutive (as iptables-save writes a chain) unless `listed`. */
  private first = -1;
  private listed: number[] | null = null;

  constructor(
    private readonly save: DeferredSave,
    private readonly table: Table,
  ) {}

  add(entry: number): void {
    if (this.listed === null) {
      if (this.count === 0) this.first = entry;
      if (entry === this.first + this.count) {
        this.count++;
        return;
      }
      this.listed = [];
      for (let k = 0; k < this.count; k++) this.listed.push(this.first + k);
    }
    this.listed.push(entry);
    this.count++;
  }

  materialize(chain: Chain): void {
    this.save.materialize(chain, this.table, this.first, this.count, this.listed);
  }
}
