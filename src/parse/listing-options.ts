/**
 * The text `iptables -L` prints after a rule's addresses (`/* ns/svc *\/ tcp dpt:80`,
 * `statistic mode random probability 0.5`, `MARK or 0x4000`), translated back into the options
 * iptables-save prints for the same rule (`-m tcp --dport 80`, `--probability 0.5`,
 * `--set-xmark 0x4000/0x4000`), so both formats go through the same typed builders and give
 * the same model. Each printer here mirrors one module's `print` function in the iptables
 * 1.8 sources (libxt_*.c, libipt_*.c); text no printer recognises is kept verbatim and
 * flagged, never guessed.
 */
import type { MatchOption } from '../model/matches.js';
import { KNOWN_TARGET_EXTENSIONS } from '../model/targets.js';

/** One match module as the listing printed it. */
export interface ListedModule {
  /** The `-m` name the save format would use (`tcp`, `conntrack`, `addrtype`, ...). */
  readonly module: string;
  readonly options: MatchOption[];
  /** False for text no printer recognised: `options` then holds its words verbatim. */
  readonly known: boolean;
  /** Offsets of the module's text in the line. */
  readonly start: number;
  readonly end: number;
}

export interface ListedTarget {
  /** The target's options, as iptables-save would print them. */
  readonly options: MatchOption[];
  /** Target text that could not be translated, verbatim; null if there is none. */
  readonly unparsed: string | null;
  readonly start: number;
}

export interface ListedOptions {
  readonly goto: boolean;
  readonly modules: ListedModule[];
  readonly target: ListedTarget | null;
}

interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Whitespace-separated words of one line, with double-quoted words kept whole. */
class Cursor {
  constructor(
    readonly text: string,
    public pos: number,
    readonly end: number,
  ) {}

  private skip(): void {
    while (this.pos < this.end) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 32 && c !== 9) break;
      this.pos++;
    }
  }

  atEnd(): boolean {
    this.skip();
    return this.pos >= this.end;
  }

  peek(): Word | null {
    const saved = this.pos;
    const w = this.next();
    this.pos = saved;
    return w;
  }

  peekText(): string | null {
    return this.peek()?.text ?? null;
  }

  next(): Word | null {
    this.skip();
    if (this.pos >= this.end) return null;
    const start = this.pos;
    let i = start;
    if (this.text.charCodeAt(i) === 34 /* " */) {
      i++;
      while (i < this.end && this.text.charCodeAt(i) !== 34) {
        if (this.text.charCodeAt(i) === 92 /* \ */) i++;
        i++;
      }
      i = Math.min(i + 1, this.end);
    }
    while (i < this.end) {
      const c = this.text.charCodeAt(i);
      if (c === 32 || c === 9) break;
      i++;
    }
    this.pos = i;
    return { text: this.text.slice(start, i), start, end: i };
  }

  /** Consumes the next word if it is `text`. */
  take(text: string): boolean {
    const w = this.peek();
    if (w === null || w.text !== text) return false;
    this.pos = w.end;
    return true;
  }
}

function unquote(word: string): string {
  if (word.length >= 2 && word.startsWith('"') && word.endsWith('"'))
    return word.slice(1, -1).replace(/\\(.)/g, '$1');
  return word;
}

function opt(name: string, args: string[] = [], negated = false): MatchOption {
  return { name, negated, args };
}

/** `!x` → [true, 'x']. */
function bang(text: string): [boolean, string] {
  return text.startsWith('!') ? [true, text.slice(1)] : [false, text];
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/**
 * Reads one module's text after its first word (`first`, already taken); `negated` when a
 * separate `!` word preceded it. Null if the text does not have the module's shape.
 */
type Printer = (
  c: Cursor,
  negated: boolean,
  first: string,
) => { module: string; options: MatchOption[] } | null;

const TCP_FLAGS: readonly [string, number][] = [
  ['FIN', 0x01],
  ['SYN', 0x02],
  ['RST', 0x04],
  ['PSH', 0x08],
  ['ACK', 0x10],
  ['URG', 0x20],
];

/** `0x17` → `FIN,SYN,RST,ACK` as iptables-save prints the bits; names pass through. */
function tcpFlagNames(text: string): string {
  if (!/^0x[0-9a-fA-F]+$/.test(text)) return text;
  const bits = parseInt(text.slice(2), 16);
  const names = TCP_FLAGS.filter(([, bit]) => (bits & bit) !== 0).map(([n]) => n);
  return names.length === 0 ? 'NONE' : names.join(',');
}

/** tcp, udp, sctp, udplite, dccp: `tcp spt:80 dpts:!1000:2000 flags:0x17/0x02`. */
function portsPrinter(module: string): Printer {
  return (c) => {
    const options: MatchOption[] = [];
    for (;;) {
      const w = c.peekText();
      if (w === null) break;
      let m = /^(spts?|dpts?):(!?)(.+)$/.exec(w);
      if (m !== null) {
        options.push(opt(m[1].startsWith('s') ? '--sport' : '--dport', [m[3]], m[2] === '!'));
        c.next();
        continue;
      }
      m = /^flags:(!?)([^/]+)\/(.+)$/.exec(w);
      if (m !== null && module === 'tcp') {
        options.push(opt('--tcp-flags', [tcpFlagNames(m[2]), tcpFlagNames(m[3])], m[1] === '!'));
        c.next();
        continue;
      }
      m = /^option=(!?)(\d+)$/.exec(w);
      if (m !== null && module === 'tcp') {
        options.push(opt('--tcp-option', [m[2]], m[1] === '!'));
        c.next();
        continue;
      }
      break;
    }
    return { module, options };
  };
}

const multiport: Printer = (c) => {
  const kind = c.next()?.text;
  const name =
    kind === 'sports'
      ? '--sports'
      : kind === 'dports'
        ? '--dports'
        : kind === 'ports'
          ? '--ports'
          : null;
  if (name === null) return null;
  const negatedWord = c.take('!');
  const list = c.next();
  if (list === null) return null;
  const [negated, ports] = bang(list.text);
  return { module: 'multiport', options: [opt(name, [ports], negated || negatedWord)] };
};

const statistic: Printer = (c) => {
  if (!c.take('mode')) return null;
  const mode = c.next()?.text;
  const negated = c.take('!');
  if (mode === 'random') {
    if (!c.take('probability')) return null;
    const p = c.next();
    if (p === null) return null;
    return {
      module: 'statistic',
      options: [opt('--mode', ['random']), opt('--probability', [p.text], negated)],
    };
  }
  if (mode === 'nth') {
    if (!c.take('every')) return null;
    const every = c.next();
    if (every === null) return null;
    const options = [opt('--mode', ['nth']), opt('--every', [every.text], negated)];
    if (c.take('packet')) {
      const packet = c.next();
      if (packet !== null) options.push(opt('--packet', [packet.text]));
    }
    return { module: 'statistic', options };
  }
  return null;
};

const RECENT_COMMANDS: Readonly<Record<string, string>> = {
  SET: '--set',
  CHECK: '--rcheck',
  UPDATE: '--update',
  REMOVE: '--remove',
};

/** `recent: CHECK seconds: 10800 reap name: KUBE-SEP-X side: source mask: 255.255.255.255`. */
const recent: Printer = (c, negated) => {
  const command = RECENT_COMMANDS[c.next()?.text ?? ''];
  if (command === undefined) return null;
  const options = [opt(command, [], negated)];
  for (;;) {
    const w = c.peekText();
    if (w === 'seconds:' || w === 'hit_count:' || w === 'name:' || w === 'mask:') {
      c.next();
      const value = c.next();
      if (value === null) break;
      const name =
        w === 'seconds:'
          ? '--seconds'
          : w === 'hit_count:'
            ? '--hitcount'
            : w === 'name:'
              ? '--name'
              : '--mask';
      options.push(opt(name, [value.text]));
    } else if (w === 'reap') {
      c.next();
      options.push(opt('--reap'));
    } else if (w === 'TTL-Match') {
      c.next();
      options.push(opt('--rttl'));
    } else if (w === 'side:') {
      c.next();
      const side = c.next()?.text;
      options.push(opt(side === 'dest' ? '--rdest' : '--rsource'));
    } else break;
  }
  return { module: 'recent', options };
};

/** `mark match ! 0x4000/0x4000`, `connmark match  0x1/0x1`. */
function markPrinter(module: string): Printer {
  return (c) => {
    if (!c.take('match')) return null;
    const negatedWord = c.take('!');
    const value = c.next();
    if (value === null) return null;
    const [negated, text] = bang(value.text);
    return { module, options: [opt('--mark', [text], negated || negatedWord)] };
  };
}

/** `ADDRTYPE match src-type LOCAL dst-type !LOCAL limit-in`. */
const addrtype: Printer = (c) => {
  if (!c.take('match')) return null;
  const options: MatchOption[] = [];
  for (;;) {
    const w = c.peekText();
    if (w === 'src-type' || w === 'dst-type') {
      c.next();
      const types = c.next();
      if (types === null) break;
      const [negated, text] = bang(types.text);
      options.push(opt(w === 'src-type' ? '--src-type' : '--dst-type', [text], negated));
    } else if (w === 'limit-in' || w === 'limit-out') {
      c.next();
      options.push(opt(w === 'limit-in' ? '--limit-iface-in' : '--limit-iface-out'));
    } else break;
  }
  return { module: 'addrtype', options };
};

const CONNTRACK_WORDS: ReadonlySet<string> = new Set([
  'ctstate',
  'ctstatus',
  'ctproto',
  'ctorigsrc',
  'ctorigdst',
  'ctreplsrc',
  'ctrepldst',
  'ctorigsrcport',
  'ctorigdstport',
  'ctreplsrcport',
  'ctrepldstport',
  'ctexpire',
  'ctdir',
]);

/**
 * `ctstate NEW`, `! ctstate RELATED,ESTABLISHED,DNAT`, `ctorigdst 10.0.0.0/8 ctdir REPLY`:
 * options run until a word is not a conntrack option or repeats one (a second `-m conntrack`
 * prints the same way as the first, so two modules in a row read as one).
 */
const conntrack: Printer = (c, negated, first) => {
  const seen = new Set<string>([first]);
  const value = c.next();
  if (value === null) return null;
  const options = [opt(`--${first}`, [value.text], negated)];
  for (;;) {
    const saved = c.pos;
    const neg = c.take('!');
    const w = c.peekText();
    if (w === null || !CONNTRACK_WORDS.has(w) || seen.has(w)) {
      c.pos = saved;
      break;
    }
    c.next();
    const v = c.next();
    if (v === null) {
      c.pos = saved;
      break;
    }
    seen.add(w);
    options.push(opt(`--${w}`, [v.text], neg));
  }
  return { module: 'conntrack', options };
};

const state: Printer = (c, negated) => {
  const value = c.next();
  if (value === null) return null;
  return { module: 'state', options: [opt('--state', [value.text], negated)] };
};

const matchSet: Printer = (c, negated) => {
  const name = c.next();
  const flags = c.next();
  if (name === null || flags === null) return null;
  return { module: 'set', options: [opt('--match-set', [name.text, flags.text], negated)] };
};

const nfacct: Printer = (c) => {
  const name = c.next();
  if (name === null) return null;
  return { module: 'nfacct', options: [opt('--nfacct-name', [name.text])] };
};

/** `PHYSDEV match ! --physdev-is-in --physdev-out eth0`: options as the save format has them. */
const physdev: Printer = (c) => {
  if (!c.take('match')) return null;
  const options: MatchOption[] = [];
  for (;;) {
    const saved = c.pos;
    const negated = c.take('!');
    const w = c.peekText();
    if (w === '--physdev-in' || w === '--physdev-out') {
      c.next();
      const dev = c.next();
      if (dev === null) break;
      options.push(opt(w, [dev.text], negated));
    } else if (
      w === '--physdev-is-in' ||
      w === '--physdev-is-out' ||
      w === '--physdev-is-bridged'
    ) {
      c.next();
      options.push(opt(w, [], negated));
    } else {
      c.pos = saved;
      break;
    }
  }
  return { module: 'physdev', options };
};

/** `icmptype 3 code 4` (numeric), `icmp !type 8`, `icmp echo-request` (names). */
function icmpPrinter(module: 'icmp' | 'icmp6', option: string, glued: string): Printer {
  return (c, negated, first) => {
    let neg = negated;
    let type: string | null;
    if (first === glued) {
      type = c.next()?.text ?? null;
    } else {
      const w = c.next();
      if (w === null) return null;
      if (w.text === '!type' || w.text === '!') {
        neg = true;
        if (w.text === '!') c.take('type');
        type = c.next()?.text ?? null;
      } else {
        const [b, name] = bang(w.text);
        neg = neg || b;
        type = name;
      }
    }
    if (type === null) return null;
    if (c.take('codes')) {
      const range = c.next()?.text;
      if (range !== undefined) type = `${type}/${range.replace('-', ':')}`;
    } else if (c.take('code')) {
      const code = c.next()?.text;
      if (code !== undefined) type = `${type}/${code}`;
    }
    return { module, options: [opt(option, [type], neg)] };
  };
}

/** `limit: avg 3/min burst 5`; iptables-save leaves out the default burst of 5. */
const limit: Printer = (c) => {
  if (!c.take('avg')) return null;
  const rate = c.next();
  if (rate === null) return null;
  const options = [opt('--limit', [rate.text])];
  if (c.take('burst')) {
    const burst = c.next()?.text;
    if (burst === undefined) return null;
    if (burst !== '5') options.push(opt('--limit-burst', [burst]));
  }
  return { module: 'limit', options };
};

const MATCH_PRINTERS: Readonly<Record<string, Printer>> = {
  tcp: portsPrinter('tcp'),
  udp: portsPrinter('udp'),
  sctp: portsPrinter('sctp'),
  udplite: portsPrinter('udplite'),
  dccp: portsPrinter('dccp'),
  multiport,
  statistic,
  'recent:': recent,
  mark: markPrinter('mark'),
  connmark: markPrinter('connmark'),
  ADDRTYPE: addrtype,
  state,
  'match-set': matchSet,
  'nfacct-name': nfacct,
  'limit:': limit,
  PHYSDEV: physdev,
  icmp: icmpPrinter('icmp', '--icmp-type', 'icmptype'),
  icmptype: icmpPrinter('icmp', '--icmp-type', 'icmptype'),
  'ipv6-icmp': icmpPrinter('icmp6', '--icmpv6-type', 'ipv6-icmptype'),
  'ipv6-icmptype': icmpPrinter('icmp6', '--icmpv6-type', 'ipv6-icmptype'),
  ...Object.fromEntries([...CONNTRACK_WORDS].map((w) => [w, conntrack])),
};

/** Printers that a separate `!` word may precede (`! ctstate`, `! recent:`, `! match-set`). */
const NEGATABLE: ReadonlySet<string> = new Set([
  'recent:',
  'state',
  'match-set',
  ...CONNTRACK_WORDS,
]);

/**
 * Reads a target's text into its save-format options (possibly none, as for `LOG` with the
 * default level); null if the text does not have the target's shape.
 */
type TargetPrinter = (c: Cursor) => MatchOption[] | null;

const LOG_LEVELS: Readonly<Record<string, number>> = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  error: 3,
  warn: 4,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

const LOG_FLAGS: readonly [string, number, string][] = [
  ['tcp-sequence', 0x01, '--log-tcp-sequence'],
  ['tcp-options', 0x02, '--log-tcp-options'],
  ['ip-options', 0x04, '--log-ip-options'],
  ['uid', 0x08, '--log-uid'],
  ['macdecode', 0x20, '--log-macdecode'],
];

/** `to:10.244.1.5:8080 random persistent` (DNAT), plus `random-fully` for SNAT. */
function natPrinter(toOption: string): TargetPrinter {
  return (c) => {
    const options: MatchOption[] = [];
    for (;;) {
      const w = c.peekText();
      if (w === null) break;
      if (w.startsWith('to:')) options.push(opt(toOption, [w.slice(3)]));
      else if (w === 'random' || w === 'random-fully' || w === 'persistent')
        options.push(opt(`--${w}`));
      else break;
      c.next();
    }
    return options.length > 0 ? options : null;
  };
}

/** `masq ports: 1000-2000 random`, `redir ports 8080`. */
function portsTargetPrinter(lead: string, portsWord: string): TargetPrinter {
  return (c) => {
    const options: MatchOption[] = [];
    for (;;) {
      const saved = c.pos;
      if (c.take(lead)) {
        if (!c.take(portsWord)) {
          c.pos = saved;
          break;
        }
        const ports = c.next();
        if (ports === null) break;
        options.push(opt('--to-ports', [ports.text]));
      } else if (c.take('random')) options.push(opt('--random'));
      else if (c.take('random-fully')) options.push(opt('--random-fully'));
      else break;
    }
    return options.length > 0 ? options : null;
  };
}

/**
 * `MARK or 0x4000`, `MARK xor 0x4000`, `MARK set 0x20`, `MARK xset 0x10/0xff`, `MARK and 0xff`:
 * iptables-save prints every one as `--set-xmark VALUE/MASK` (new = (old & ~MASK) ^ VALUE).
 */
function markOperation(c: Cursor, lead: string): MatchOption | null {
  const saved = c.pos;
  if (!c.take(lead)) return null;
  const op = c.next()?.text;
  const arg = c.next()?.text;
  const parse = (s: string): number | null =>
    /^0x[0-9a-fA-F]{1,8}$/.test(s)
      ? parseInt(s.slice(2), 16)
      : /^\d{1,10}$/.test(s)
        ? Number(s)
        : null;
  if (op !== undefined && arg !== undefined) {
    if (op === 'xset') {
      const [v, m] = arg.split('/');
      const value = parse(v);
      const mask = m === undefined ? null : parse(m);
      if (value !== null && mask !== null)
        return opt('--set-xmark', [`${hex(value)}/${hex(mask)}`]);
    }
    const v = parse(arg);
    if (v !== null) {
      if (op === 'set') return opt('--set-xmark', [`${hex(v)}/0xffffffff`]);
      if (op === 'or') return opt('--set-xmark', [`${hex(v)}/${hex(v)}`]);
      if (op === 'xor') return opt('--set-xmark', [`${hex(v)}/0x0`]);
      if (op === 'and') return opt('--set-xmark', [`0x0/${hex(~v)}`]);
    }
  }
  c.pos = saved;
  return null;
}

const markTarget: TargetPrinter = (c) => {
  const o = markOperation(c, 'MARK');
  return o === null ? null : [o];
};

/** CONNMARK: the MARK operations, or `save`/`restore` with optional masks. */
const connmarkTarget: TargetPrinter = (c) => {
  const o = markOperation(c, 'CONNMARK');
  if (o !== null) return [o];
  const saved = c.pos;
  if (!c.take('CONNMARK')) return null;
  const op = c.next()?.text;
  if (op !== 'save' && op !== 'restore') {
    c.pos = saved;
    return null;
  }
  let nfmask = 0xffffffff;
  let ctmask = 0xffffffff;
  const readMask = (s: string | undefined): number | null =>
    s !== undefined && /^~?0x[0-9a-fA-F]{1,8}$/.test(s)
      ? s.startsWith('~')
        ? ~parseInt(s.slice(3), 16) >>> 0
        : parseInt(s.slice(2), 16)
      : null;
  if (c.take('mask')) {
    const m = readMask(c.next()?.text);
    if (m !== null) nfmask = ctmask = m;
  } else if (c.take('nfmask') || c.take('ctmask')) {
    // `save nfmask X ctmask ~Y` / `restore ctmask X nfmask ~Y`: the second is printed inverted.
    c.pos = saved;
    c.take('CONNMARK');
    c.next();
    for (let k = 0; k < 2; k++) {
      const which = c.next()?.text;
      const m = readMask(c.next()?.text);
      if (m === null) break;
      if (which === 'nfmask') nfmask = m;
      else if (which === 'ctmask') ctmask = m;
    }
  }
  return [
    opt(op === 'save' ? '--save-mark' : '--restore-mark'),
    opt('--nfmask', [hex(nfmask)]),
    opt('--ctmask', [hex(ctmask)]),
  ];
};

const rejectTarget: TargetPrinter = (c) => {
  if (!c.take('reject-with')) return null;
  const w = c.next();
  return w === null ? null : [opt('--reject-with', [w.text])];
};

/** `LOG flags 0 level 4 prefix "x"` (numeric) or `LOG level warn tcp-options prefix "x"`. */
const logTarget: TargetPrinter = (c) => {
  if (!c.take('LOG')) return null;
  let level = 4;
  let flags = 0;
  let prefix: string | null = null;
  for (;;) {
    if (c.take('flags')) {
      const f = c.next()?.text ?? '';
      if (!/^\d+$/.test(f)) break;
      flags = Number(f);
    } else if (c.take('level')) {
      const l = c.next()?.text ?? '';
      if (/^\d+$/.test(l)) level = Number(l);
      else if (LOG_LEVELS[l] !== undefined) level = LOG_LEVELS[l];
      else break;
    } else if (c.take('prefix')) {
      const p = c.next();
      if (p === null) break;
      prefix = unquote(p.text);
    } else {
      const w = c.peekText();
      const flag = LOG_FLAGS.find(([name]) => name === w);
      if (flag === undefined) break;
      c.next();
      flags |= flag[1];
    }
  }
  // The order iptables-save prints them in (libxt_LOG log_save).
  const options: MatchOption[] = [];
  if (prefix !== null && prefix !== '') options.push(opt('--log-prefix', [prefix]));
  if (level !== 4) options.push(opt('--log-level', [String(level)]));
  for (const [, bit, name] of LOG_FLAGS) if ((flags & bit) !== 0) options.push(opt(name));
  return options;
};

/** NFLOG prints its save options without the leading dashes: `nflog-prefix "x" nflog-group 2`. */
const nflogTarget: TargetPrinter = (c) => {
  const options: MatchOption[] = [];
  for (;;) {
    const w = c.peekText();
    if (w === null || !/^nflog-(prefix|group|range|size|threshold)$/.test(w)) break;
    c.next();
    const v = c.next();
    if (v === null) break;
    options.push(opt(`--${w}`, [unquote(v.text)]));
  }
  return options.length > 0 ? options : null;
};

const TARGET_PRINTERS: Readonly<Record<string, TargetPrinter>> = {
  DNAT: natPrinter('--to-destination'),
  SNAT: natPrinter('--to-source'),
  MASQUERADE: portsTargetPrinter('masq', 'ports:'),
  REDIRECT: portsTargetPrinter('redir', 'ports'),
  MARK: markTarget,
  CONNMARK: connmarkTarget,
  REJECT: rejectTarget,
  LOG: logTarget,
  NFLOG: nflogTarget,
};

/**
 * The comment's closing ` *\/`. A comment may itself contain ` *\/`, so the first candidate
 * after which recognisable listing text (or nothing) follows wins; failing that, the last.
 */
function commentEnd(
  text: string,
  from: number,
  end: number,
  recognised: (pos: number) => boolean,
): number {
  let last = -1;
  for (let at = text.indexOf(' */', from); at !== -1 && at + 3 <= end;) {
    const after = at + 3;
    if (after === end || text.charCodeAt(after) === 32) {
      let p = after;
      while (p < end && text.charCodeAt(p) === 32) p++;
      if (p >= end || recognised(p)) return at;
      last = at;
    }
    at = text.indexOf(' */', at + 1);
  }
  return last;
}

/**
 * Reads the listing text `text[start..end)` that follows a rule's destination column.
 * `targetName` is the rule's target column ('' for a rule without target).
 */
export function readListedOptions(
  text: string,
  start: number,
  end: number,
  targetName: string,
): ListedOptions {
  const c = new Cursor(text, start, end);
  const modules: ListedModule[] = [];
  let target: ListedTarget | null = null;
  let goto = false;
  const targetPrinter = TARGET_PRINTERS[targetName];

  const matchAt = (pos: number): boolean => {
    const probe = new Cursor(text, pos, end);
    const w = probe.next()?.text;
    if (w === undefined) return false;
    if (w === '/*' || MATCH_PRINTERS[w] !== undefined) return true;
    if (w === '!') return NEGATABLE.has(probe.peekText() ?? '');
    if (targetPrinter === undefined) return false;
    probe.pos = pos;
    return targetPrinter(probe) !== null;
  };

  if (c.peekText() === '[goto]') {
    c.next();
    goto = true;
  }
  let generic: { words: string[]; start: number; end: number } | null = null;
  const flushGeneric = (): void => {
    if (generic === null) return;
    const [first, ...rest] = generic.words;
    modules.push({
      module: first.replace(/:$/, ''),
      options: [opt('', rest)],
      known: false,
      start: generic.start,
      end: generic.end,
    });
    generic = null;
  };

  while (!c.atEnd()) {
    const at = c.pos;
    const word = c.peek()!;
    if (word.text === '/*') {
      const close = commentEnd(text, word.start + 2, end, matchAt);
      if (close !== -1) {
        flushGeneric();
        modules.push({
          module: 'comment',
          options: [opt('--comment', [text.slice(Math.min(word.start + 3, close), close)])],
          known: true,
          start: word.start,
          end: close + 3,
        });
        c.pos = close + 3;
        continue;
      }
    }
    let printer: Printer | undefined;
    let negated = false;
    if (word.text === '!') {
      c.next();
      const next = c.peekText() ?? '';
      if (NEGATABLE.has(next)) {
        printer = MATCH_PRINTERS[next];
        negated = true;
      } else c.pos = at;
    } else printer = MATCH_PRINTERS[word.text];
    if (printer !== undefined) {
      const first = c.next()!.text;
      const got = printer(c, negated, first);
      if (got !== null) {
        flushGeneric();
        modules.push({ ...got, known: true, start: word.start, end: c.pos });
        continue;
      }
      c.pos = at;
    }
    if (targetPrinter !== undefined) {
      const options = targetPrinter(c);
      if (options !== null) {
        flushGeneric();
        const rest = c.atEnd() ? null : text.slice(c.pos, end).trim();
        target = { options, unparsed: rest, start: word.start };
        c.pos = end;
        break;
      }
      c.pos = at;
    }
    const w = c.next();
    if (w === null) break;
    if (generic === null) generic = { words: [w.text], start: w.start, end: w.end };
    else {
      generic.words.push(w.text);
      generic.end = w.end;
    }
  }
  // Unrecognised text at the end of a rule with a target extension is most likely the
  // target's (its options come last); elsewhere it is an unknown match module.
  if (
    generic !== null &&
    target === null &&
    targetName !== '' &&
    targetPrinter === undefined &&
    KNOWN_TARGET_EXTENSIONS.has(targetName)
  ) {
    const g: { start: number; end: number } = generic;
    target = { options: [], unparsed: text.slice(g.start, end).trim(), start: g.start };
    generic = null;
  }
  flushGeneric();
  return { goto, modules, target };
}
