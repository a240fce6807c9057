/**
 * The ruleset model: Ruleset → tables → chains → rules. Readers of every input format build it;
 * everything else (the Kubernetes view, the tracer, checks, presenters) reads it.
 */
import type { Counters, Rule } from './rule.js';
import type { Problem } from './problems.js';

export type InputFormat =
  | 'iptables-save' // `iptables-save` / `ip6tables-save`, with or without `-c`
  | 'rules' // `iptables -S [-v]`: -P/-N/-A lines
  | 'listing' // `iptables -L [-n] [-v] [-x]`
  | 'save-fragment' // `-A` lines without table or chain declarations (`iptables-save | grep`)
  | 'listing-fragment'; // listing rows without `Chain` headers (`iptables -L | grep`)

export type Family = 'ipv4' | 'ipv6' | 'unknown';

/** What kind of damage or missing information a whole input suffers from. */
export type FormatLoss =
  | 'no-table-names' // listing without `-t`: tables inferred from chain names or unknown
  | 'no-chain-headers' // fragment: chain membership inferred or unknown
  | 'no-chain-declarations' // save fragment: chains only known from -A lines
  | 'no-counters'
  | 'rounded-counters' // `-nvL`: K/M/G suffixes
  | 'names-not-numeric' // `-L` without `-n`
  | 'ports-not-printed' // `-L` rows that show no port for rules that have one
  | 'truncated' // input ends inside a table
  | 'no-interfaces' // `-L` without `-v`: `-i`/`-o` are not printed
  | 'partial-table'; // `-L CHAIN`, `-S CHAIN`: only some chains of a table are shown

export const BUILTIN_CHAINS: Readonly<Record<string, readonly string[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** The name of a group of rules whose chain the input does not show (a grep of a listing). */
export function unknownChainName(n: number): string {
  return n <= 1 ? '(unknown chain)' : `(unknown chain ${n})`;
}

export function isUnknownChainName(name: string): boolean {
  return name.startsWith('(unknown chain');
}

export function isBuiltinChain(table: string, chain: string): boolean {
  const builtins = BUILTIN_CHAINS[table];
  return builtins !== undefined ? builtins.includes(chain) : false;
}

/**
 * The same text in a string of its own. A name cut out of a large input is a view into that
 * input (V8 keeps a pointer and an offset), so reading its characters means a trip to wherever
 * the input held it. Chain names are compared and looked up hundreds of thousands of times on a
 * large dump: a flat copy, made once, is read several times faster. (V8 copies strings this
 * short when they are joined from two pieces; it only makes views of 13 characters or more.)
 */
function ownCopy(text: string): string {
  return text.length < 13 ? text : [text.slice(0, 1), text.slice(1)].join('');
}

/**
 * Rule lines a reader kept as text, to parse when someone first reads the chain's rules. The
 * model only counts and triggers them; the reader that recorded them knows how to read them.
 */
export interface DeferredRules {
  /** How many rules the lines make. */
  readonly count: number;
  /**
   * Parses the lines into `chain` (which no longer holds them as deferred), placing them among
   * the rules it already has, and reports their problems into the chain's ruleset.
   */
  materialize(chain: Chain): void;
}

export class Chain {
  private list: Rule[] = [];
  private deferred: DeferredRules | null = null;
  /** `ACCEPT`/`DROP` for built-in chains; null for user chains (`-` in iptables-save). */
  policy: string | null = null;
  counters: Counters | null = null;
  /** Reference count printed by listings (`Chain X (3 references)`), when known. */
  references: number | null = null;
  /**
   * False when the chain is known only from rules that name it (`-A X` in a fragment, or a jump
   * target), never from a declaration line.
   */
  declared = true;

  constructor(
    public readonly table: string,
    public readonly name: string,
    public readonly builtin: boolean,
    /** Line of the declaration (or of the first rule that named it); 0 if none. */
    public readonly line: number,
  ) {}

  /** The rules in order; rules a reader deferred are parsed on the first read. */
  get rules(): Rule[] {
    if (this.deferred !== null) this.materialize();
    return this.list;
  }

  /** How many rules the chain has, deferred ones included, without parsing any. */
  get ruleCount(): number {
    return this.deferred === null ? this.list.length : this.list.length + this.deferred.count;
  }

  /** False while the chain holds rules that were not parsed yet. */
  get materialized(): boolean {
    return this.deferred === null;
  }

  /** The rules not parsed yet, as the reader that deferred them handed them over. */
  get pendingRules(): DeferredRules | null {
    return this.deferred;
  }

  /** Adds a rule at the end without parsing deferred ones (for readers, while they read). */
  appendRule(rule: Rule): void {
    this.list.push(rule);
  }

  /** Hands the chain rules to parse later (for readers; at most once per chain). */
  deferRules(deferred: DeferredRules): void {
    this.deferred = deferred;
  }

  /** Parses the deferred rules, if any. */
  materialize(): void {
    const deferred = this.deferred;
    if (deferred === null) return;
    // Detached first: the reader reads and writes `rules` while it places the parsed ones.
    this.deferred = null;
    deferred.materialize(this);
  }

  /**
   * Replaces the rule list with an exact-size copy: a list grown rule by rule keeps spare room
   * (17 entries for a chain of one or two rules). Readers call it once the chain is complete,
   * before anyone else holds the list.
   */
  trimRules(): void {
    // An empty list has no room to spare.
    if (this.list.length !== 0) this.list = this.list.slice();
  }
}

export class Table {
  readonly chains: Chain[] = [];
  private readonly byName = new Map<string, Chain>();
  /** True once the table's COMMIT line was read (iptables-save input only). */
  committed = false;
  /** How the table name is known. */
  nameSource: 'declared' | 'option' | 'inferred' | 'unknown' = 'declared';

  constructor(
    public readonly name: string,
    public readonly line: number,
  ) {}

  chain(name: string): Chain | undefined {
    return this.byName.get(name);
  }

  /** Adds a chain, or returns the existing one of that name. */
  ensureChain(name: string, line: number): Chain {
    let chain = this.byName.get(name);
    if (chain === undefined) {
      const own = ownCopy(name);
      chain = new Chain(this.name, own, isBuiltinChain(this.name, own), line);
      this.byName.set(own, chain);
      this.chains.push(chain);
    }
    return chain;
  }

  get ruleCount(): number {
    let n = 0;
    for (const c of this.chains) n += c.ruleCount;
    return n;
  }
}

export interface GeneratorInfo {
  /** `iptables-save`, `ip6tables-save`, ... */
  readonly tool: string;
  readonly version: string;
  /** From `(nf_tables)` / `(legacy)`; null when the header names no backend. */
  readonly backend: 'nf_tables' | 'legacy' | null;
  readonly line: number;
}

export class Ruleset {
  readonly tables: Table[] = [];
  readonly problems: Problem[] = [];
  readonly losses: FormatLoss[] = [];
  generator: GeneratorInfo | null = null;
  family: Family = 'unknown';
  /** Whether rule and policy counters were present in the input. */
  hasCounters = false;
  /** Lines of text that were not part of the dump (prompts, prose) and were skipped. */
  skippedLines = 0;
  /** How the format was decided: `detected` from the text, or `given` by `--format`. */
  formatSource: 'detected' | 'given' = 'detected';

  constructor(
    /** Display name of the input (`-` is shown as `<stdin>`). */
    public readonly file: string,
    public format: InputFormat,
  ) {}

  table(name: string): Table | undefined {
    for (const t of this.tables) if (t.name === name) return t;
    return undefined;
  }

  ensureTable(name: string, line: number): Table {
    const existing = this.table(name);
    if (existing !== undefined) return existing;
    const table = new Table(name, line);
    this.tables.push(table);
    return table;
  }

  /** Shortcut for `table(t)?.chain(c)`. */
  chain(table: string, chain: string): Chain | undefined {
    return this.table(table)?.chain(chain);
  }

  addLoss(loss: FormatLoss): void {
    if (!this.losses.includes(loss)) this.losses.push(loss);
  }

  get ruleCount(): number {
    let n = 0;
    for (const t of this.tables) n += t.ruleCount;
    return n;
  }

  get chainCount(): number {
    let n = 0;
    for (const t of this.tables) n += t.chains.length;
    return n;
  }

  /** How many chains still hold rules that were not parsed. */
  get deferredChainCount(): number {
    let n = 0;
    for (const t of this.tables) for (const c of t.chains) if (!c.materialized) n++;
    return n;
  }

  /**
   * Parses every deferred chain, in table and chain order. Their problems are appended to
   * `problems` (deferred problems only arrive when their chain is read).
   */
  materializeAll(): void {
    for (const t of this.tables) for (const c of t.chains) c.materialize();
  }

  *rules(): IterableIterator<Rule> {
    for (const t of this.tables) for (const c of t.chains) yield* c.rules;
  }
}
