/**
 * Tables for inputs that do not name them: listings (`iptables -L` never prints the table),
 * `-S` output and grep fragments. Readers collect chains into TableDrafts; placeDrafts names
 * each draft's table, from `--table`, from an echoed `iptables -t TABLE` command, or by
 * inference, and moves the rules into the Ruleset.
 *
 * Inference only narrows: every chain name and target allows a set of tables, and a draft's
 * table is inferred only when exactly one table allows everything it holds. What can be told
 * from a name: built-in chains exist in fixed tables, the chains kube-proxy, kubelet, Docker,
 * flannel and CNI plugins create live in known tables, and NAT targets only work in nat,
 * REJECT only in filter. Every inference is recorded as an info problem naming its evidence.
 */
import { relocateRule, type Counters, type Rule } from '../model/rule.js';
import {
  BUILTIN_CHAINS,
  isUnknownChainName,
  unknownChainName,
  type Ruleset,
  type Table,
} from '../model/ruleset.js';
import { readCommandEcho, type CommandEcho } from '../input/clean.js';
import type { LineCursor, ProblemLog } from './context.js';

export const TABLE_NAMES: readonly string[] = ['filter', 'nat', 'mangle', 'raw', 'security'];

/** Chains other programs create, by exact name or by prefix, with the tables they live in. */
const CHAIN_TABLES: readonly [RegExp, readonly string[]][] = [
  [/^KUBE-(SVC|SVL|SEP|EXT|FW|XLB)-/, ['nat']],
  [/^KUBE-(MARK-MASQ|MARK-DROP|POSTROUTING|NODE-PORT|LOAD-BALANCER)$/, ['nat']],
  [/^KUBE-(SERVICES|NODEPORTS)$/, ['nat', 'filter']],
  [
    /^KUBE-(FORWARD|EXTERNAL-SERVICES|PROXY-FIREWALL|IPVS-FILTER|IPVS-OUT-FILTER|SOURCE-RANGES-FIREWALL)$/,
    ['filter'],
  ],
  [/^KUBE-IPTABLES-HINT$/, ['mangle']],
  [/^DOCKER-(USER|ISOLATION-STAGE-\d+)$/, ['filter']],
  [/^FLANNEL-POSTRTG$/, ['nat']],
  [/^FLANNEL-FWD$/, ['filter']],
  [/^KIND-MASQ-AGENT$/, ['nat']],
  [/^CNI-(HOSTPORT-(DNAT|SETMARK|MASQ)|DN-[0-9a-f]+|[0-9a-f]{24})$/, ['nat']],
];

/**
 * Targets only some tables accept: the kernel's xt_target `.table`, and iptables' own refusal
 * of DROP in nat ("the nat table is not intended for filtering").
 */
const TARGET_TABLES: Readonly<Record<string, readonly string[]>> = {
  DROP: ['filter', 'mangle', 'raw', 'security'],
  DNAT: ['nat'],
  SNAT: ['nat'],
  MASQUERADE: ['nat'],
  REDIRECT: ['nat'],
  NETMAP: ['nat'],
  REJECT: ['filter'],
  CT: ['raw'],
  NOTRACK: ['raw'],
  TPROXY: ['mangle'],
  SECMARK: ['mangle', 'security'],
  CONNSECMARK: ['mangle', 'security'],
  CLASSIFY: ['mangle'],
  TOS: ['mangle'],
  DSCP: ['mangle'],
  TTL: ['mangle'],
  HL: ['mangle'],
  ECN: ['mangle'],
  CHECKSUM: ['mangle'],
};

/** Tables a chain of this name can be in; null when the name says nothing. */
export function tablesOfChain(name: string): readonly string[] | null {
  const builtin = TABLE_NAMES.filter((t) => BUILTIN_CHAINS[t].includes(name));
  if (builtin.length > 0) return builtin;
  for (const [re, tables] of CHAIN_TABLES) if (re.test(name)) return tables;
  return null;
}

/** Tables a rule with this target can be in; null when the target says nothing. */
export function tablesOfTarget(rule: Rule): readonly string[] | null {
  const t = rule.target;
  if (t === null) return null;
  if (t.kind === 'chain') return tablesOfChain(t.chain);
  return TARGET_TABLES[t.name] ?? null;
}

/** Narrows candidate tables, remembering what did the narrowing. */
export class TableEvidence {
  candidates: string[] = [...TABLE_NAMES];
  readonly reasons: string[] = [];

  restrict(tables: readonly string[] | null, reason: string): void {
    if (tables === null) return;
    const next = this.candidates.filter((t) => tables.includes(t));
    if (next.length === this.candidates.length) return;
    this.candidates = next;
    if (this.reasons.length < 4) this.reasons.push(reason);
  }

  /** The single table left, or null. filter and security have the same built-in chains, and
   * the security table holds only SELinux rules: filter is meant unless SECMARK says otherwise. */
  get table(): string | null {
    if (this.candidates.length === 1) return this.candidates[0];
    if (
      this.candidates.length === 2 &&
      this.candidates.includes('filter') &&
      this.candidates.includes('security')
    )
      return 'filter';
    return null;
  }
}

export interface ChainDraft {
  readonly name: string;
  readonly line: number;
  policy: string | null;
  counters: Counters | null;
  references: number | null;
  /** Known from a `Chain` header, `-N` or `-P` line, not only from rules that name it. */
  declared: boolean;
  readonly rules: Rule[];
}

/** How an input stated a table. */
export interface StatedTable {
  readonly name: string;
  readonly line: number;
  /** The command or option that stated it, for messages. */
  readonly via: string;
}

/** One table's worth of chains from an input that does not name its tables. */
export class TableDraft {
  readonly chains: ChainDraft[] = [];
  private readonly byName = new Map<string, ChainDraft>();
  /** Rules whose chain is unknown (listing rows without `Chain` headers), in input order. */
  readonly orphans: Rule[] = [];
  /** Only some chains of the table are shown (`-L CHAIN`, `-S CHAIN`). */
  partial = false;
  /** No more chains join this draft (an echoed command started the next one). */
  closed = false;

  constructor(
    readonly line: number,
    readonly stated: StatedTable | null,
  ) {}

  chain(name: string): ChainDraft | undefined {
    return this.byName.get(name);
  }

  addChain(name: string, line: number, declared: boolean): ChainDraft {
    const chain: ChainDraft = {
      name,
      line,
      policy: null,
      counters: null,
      references: null,
      declared,
      rules: [],
    };
    this.byName.set(name, chain);
    this.chains.push(chain);
    return chain;
  }

  get isEmpty(): boolean {
    return this.chains.length === 0 && this.orphans.length === 0;
  }

  /** What the chain names and targets say about the table. */
  evidence(): TableEvidence {
    const ev = new TableEvidence();
    // A whole-table listing shows exactly that table's built-in chains.
    const builtins = this.chains.map((c) => c.name).filter((n) => isBuiltinName(n));
    if (!this.partial && builtins.length >= 2) {
      const exact = TABLE_NAMES.filter((t) => {
        const b = BUILTIN_CHAINS[t];
        return b.length === builtins.length && b.every((n) => builtins.includes(n));
      });
      ev.restrict(exact, `its built-in chains ${builtins.join(', ')}`);
    }
    for (const c of this.chains) ev.restrict(tablesOfChain(c.name), `chain ${c.name}`);
    for (const rule of this.allRules()) {
      const t = rule.target;
      if (t === null) continue;
      ev.restrict(
        tablesOfTarget(rule),
        t.kind === 'chain' ? `jump to ${t.chain}` : `${t.name} target`,
      );
    }
    return ev;
  }

  *allRules(): IterableIterator<Rule> {
    for (const c of this.chains) yield* c.rules;
    yield* this.orphans;
  }
}

interface Echo {
  readonly echo: CommandEcho;
  readonly line: number;
  readonly text: string;
}

/**
 * The drafts of one input, in order. A pasted output often follows the command that printed it
 * (`# iptables -t nat -S`): that command states the next draft's table, whether the draft shows
 * one chain only, and the family.
 */
export class DraftSequence {
  readonly drafts: TableDraft[] = [];
  /** The draft being filled. */
  current: TableDraft | null = null;
  /** A draft followed an ip6tables command. */
  ipv6 = false;
  private echo: Echo | null = null;

  start(line: number): TableDraft {
    const e = this.echo;
    const d = new TableDraft(
      line,
      e !== null && e.echo.table !== null
        ? { name: e.echo.table, line: e.line, via: e.text }
        : null,
    );
    if (e !== null && e.echo.chain !== null) d.partial = true;
    if (e !== null && e.echo.family === 'ipv6') this.ipv6 = true;
    this.echo = null;
    this.drafts.push(d);
    this.current = d;
    return d;
  }

  /**
   * Takes a skipped line as an echoed `-L` or `-S` command, which ends the current draft and
   * states the next; false when `line` is not one.
   */
  readEcho(at: LineCursor, line: string): boolean {
    const e = readCommandEcho(line);
    if (e === null || e.kind === 'save') return false;
    this.echo = { echo: e, line: at.line, text: line };
    const open = this.current;
    if (open !== null && !open.isEmpty) open.closed = true;
    at.reportLine(
      'info',
      'skipped-line',
      e.table !== null
        ? `command line: what follows is table ${e.table}${e.tableGiven ? '' : " (iptables' default)"}${e.chain !== null ? `, chain ${e.chain} only` : ''}`
        : 'command line; skipped',
    );
    return true;
  }
}

const ALL_BUILTINS: ReadonlySet<string> = new Set(Object.values(BUILTIN_CHAINS).flat());

export function isBuiltinName(name: string): boolean {
  return ALL_BUILTINS.has(name);
}

export interface PlaceOptions {
  /** `--table`: table names for the drafts that come without one, in order. */
  readonly given: readonly string[];
  /** Groups orphan rules into chains where the input's structure makes that certain. */
  readonly groupOrphans: (rules: readonly Rule[]) => Rule[][];
}

const STRENGTH: Readonly<Record<Table['nameSource'], number>> = {
  unknown: 0,
  inferred: 1,
  option: 2,
  declared: 3,
};

/** Names each draft's table and moves its chains and rules into the ruleset. */
export function placeDrafts(
  ruleset: Ruleset,
  drafts: readonly TableDraft[],
  log: ProblemLog,
  options: PlaceOptions,
): void {
  let given = 0;
  let unknownTables = 0;
  for (const draft of drafts) {
    if (draft.isEmpty) continue;
    let name: string | null = null;
    let source: Table['nameSource'] = 'unknown';
    if (given < options.given.length) {
      name = options.given[given++];
      source = 'option';
      if (draft.stated !== null && draft.stated.name !== name)
        log.add(
          'warning',
          'format-guess',
          draft.stated.line,
          1,
          draft.stated.via,
          `--table ${name} was given, but this command shows table ${draft.stated.name}; reading it as ${name}`,
          null,
        );
    } else if (draft.stated !== null) {
      name = draft.stated.name;
      source = 'declared';
    } else {
      const ev = draft.evidence();
      name = ev.table;
      if (name !== null) {
        source = 'inferred';
        log.add(
          'info',
          'format-guess',
          draft.line,
          1,
          '',
          `the input does not name this table; it is ${name}, going by ${ev.reasons.join('; ')} (give --table to state it)`,
          '--table TABLE',
        );
      } else {
        log.add(
          'warning',
          'format-guess',
          draft.line,
          1,
          '',
          ev.candidates.length === 0
            ? 'the input does not name this table, and its chains and targets belong to different tables; its table is unknown'
            : `the input does not name this table and its chains could be in ${ev.candidates.join(' or ')}; its table is unknown (give --table to state it)`,
          '--table TABLE',
        );
      }
    }
    if (name === null) name = ++unknownTables === 1 ? 'unknown' : `unknown-${unknownTables}`;
    const table = ruleset.ensureTable(name, draft.line);
    if (table.chains.length === 0 || STRENGTH[source] < STRENGTH[table.nameSource])
      table.nameSource = source;
    const tableKnown = source === 'declared' || source === 'option';
    for (const cd of draft.chains) placeChain(table, cd, cd.rules, log, tableKnown, false);
    if (draft.orphans.length > 0) {
      const groups = options.groupOrphans(draft.orphans);
      let n = 0;
      for (const chain of table.chains) if (isUnknownChainName(chain.name)) n++;
      for (const group of groups) {
        const cd: ChainDraft = {
          name: unknownChainName(++n),
          line: group[0].line,
          policy: null,
          counters: null,
          references: null,
          declared: false,
          rules: group,
        };
        placeChain(table, cd, group, log, tableKnown, true);
      }
    }
    if (draft.partial) ruleset.addLoss('partial-table');
    if (!tableKnown) ruleset.addLoss('no-table-names');
  }
}

function placeChain(
  table: Table,
  cd: ChainDraft,
  rules: readonly Rule[],
  log: ProblemLog,
  tableKnown: boolean,
  chainUnknown: boolean,
): void {
  let chain = table.chain(cd.name);
  if (chain !== undefined && (chain.rules.length > 0 || rules.length > 0) && !chainUnknown) {
    log.add(
      'warning',
      'duplicate-chain',
      cd.line,
      1,
      '',
      `chain ${cd.name} is shown again (first on line ${chain.line}); the later one is kept and the ${chain.rules.length} rules shown before are dropped`,
      null,
    );
    chain.rules.length = 0;
  }
  chain ??= table.ensureChain(cd.name, cd.line);
  if (cd.policy !== null) chain.policy = cd.policy;
  if (cd.counters !== null) chain.counters = cd.counters;
  if (cd.references !== null) chain.references = cd.references;
  chain.declared = chain.declared && cd.declared;
  for (const r of rules) {
    const moved = relocateRule(r, table.name, chain.name);
    if (!tableKnown) moved.markUnknown('table');
    if (chainUnknown) moved.markUnknown('chain');
    chain.rules.push(moved);
    if (moved.index === 0) moved.index = chain.rules.length;
  }
}
