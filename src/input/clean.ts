/**
 * Pasted damage: what terminals, shells and chat windows do to a dump on its way into a bug
 * report, undone so that the readers see the text iptables printed.
 *
 * The cleaned text always has the same number of lines as the original, and a PositionMap
 * takes any (line, column) of the cleaned text back to the original, so every problem still
 * points at what the person pasted. Damage that costs nothing to read through (CRLF, tabs,
 * trailing spaces, no final newline) is left to the readers, which already tolerate it.
 */

/** What iptables-nft prints when iptables-legacy tables also exist (to standard error). */
export const LEGACY_WARNING = '# Warning: iptables-legacy tables present';

// CSI sequences (colours, erase-line), OSC sequences (window titles), and any other escape
// character alone: what follows a stray one is more likely dump text than part of a sequence.
const ANSI_RE =
  // eslint-disable-next-line no-control-regex
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b/g;

export interface DamageNote {
  readonly kind: 'ansi' | 'splice';
  /** 1-based line and column in the original input. */
  readonly line: number;
  readonly column: number;
  /** The removed text as it appeared (an escape sequence, or the spliced warning). */
  readonly text: string;
}

/** One stretch of a cleaned line that is a verbatim copy of original text. */
interface Piece {
  /** 0-based column in the cleaned line where the stretch starts. */
  readonly start: number;
  /** 1-based original line and 0-based original column of the stretch's first character. */
  readonly line: number;
  readonly column: number;
}

/** Maps positions in cleaned text back to the original input. */
export class PositionMap {
  /** Cleaned lines that are not verbatim copies of their original line, by 1-based line. */
  private readonly pieces = new Map<number, readonly Piece[]>();

  set(line: number, pieces: readonly Piece[]): void {
    this.pieces.set(line, pieces);
  }

  get changed(): boolean {
    return this.pieces.size > 0;
  }

  /** Whether cleaned line `line` differs from the original line of that number. */
  isChanged(line: number): boolean {
    return this.pieces.has(line);
  }

  /** Original 1-based (line, column) of a 1-based position in the cleaned text. */
  original(line: number, column: number): { line: number; column: number } {
    const pieces = this.pieces.get(line);
    if (pieces === undefined) return { line, column };
    let piece = pieces[0];
    for (const p of pieces) if (p.start <= column - 1) piece = p;
    return { line: piece.line, column: piece.column + (column - 1 - piece.start) + 1 };
  }
}

export interface CleanedInput {
  readonly text: string;
  readonly notes: readonly DamageNote[];
  readonly map: PositionMap;
}

/** Offset of the first legacy warning that does not start its line, or -1. */
function splicedWarningAt(text: string): number {
  let at = text.indexOf(LEGACY_WARNING);
  while (at !== -1) {
    let i = at - 1;
    while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
    if (i >= 0 && text.charCodeAt(i) !== 10) return at;
    at = text.indexOf(LEGACY_WARNING, at + LEGACY_WARNING.length);
  }
  return -1;
}

/**
 * Whether the text carries damage that `cleanInput` repairs. Cheap on clean input (two
 * substring searches), so readers of million-line dumps can afford to ask.
 */
export function needsCleaning(text: string): boolean {
  return text.indexOf('\u001b') !== -1 || splicedWarningAt(text) !== -1;
}

interface StrippedLine {
  text: string;
  pieces: Piece[] | null;
}

function stripAnsi(line: string, lineNo: number, notes: DamageNote[]): StrippedLine {
  if (line.indexOf('\u001b') === -1) return { text: line, pieces: null };
  const pieces: Piece[] = [{ start: 0, line: lineNo, column: 0 }];
  let out = '';
  let last = 0;
  let first = true;
  ANSI_RE.lastIndex = 0;
  for (let m = ANSI_RE.exec(line); m !== null; m = ANSI_RE.exec(line)) {
    if (first) {
      notes.push({ kind: 'ansi', line: lineNo, column: m.index + 1, text: m[0] });
      first = false;
    }
    out += line.slice(last, m.index);
    last = m.index + m[0].length;
    pieces.push({ start: out.length, line: lineNo, column: last });
  }
  out += line.slice(last);
  return { text: out, pieces };
}

function identity(lineNo: number): Piece[] {
  return [{ start: 0, line: lineNo, column: 0 }];
}

/**
 * Removes terminal escape sequences, and rejoins rules that had the iptables-legacy warning
 * written into their middle: stderr and stdout share the terminal, so the warning can land
 * between two halves of a rule line (`...--probability 0.333# Warning: ... see them` followed
 * by `33333349 -j KUBE-SEP-...` on the next line). The joined rule takes the first line; the
 * second becomes empty, so line numbers do not move.
 */
export function cleanInput(text: string): CleanedInput {
  const notes: DamageNote[] = [];
  const map = new PositionMap();
  const raw = text.split('\n');
  const lines = raw.map((l, i) => stripAnsi(l, i + 1, notes));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const at = line.text.indexOf(LEGACY_WARNING);
    if (at <= 0 || line.text.slice(0, at).trim() === '') continue;
    const part1 = line.text.slice(0, at);
    const original = line.pieces === null ? null : new PositionMap();
    if (original !== null && line.pieces !== null) original.set(i + 1, line.pieces);
    const where = original?.original(i + 1, at + 1) ?? { line: i + 1, column: at + 1 };
    notes.push({
      kind: 'splice',
      line: where.line,
      column: where.column,
      text: line.text.slice(at).replace(/\r$/, ''),
    });
    if (i + 1 >= lines.length) {
      // The warning ends the input: there is no second half to join.
      lines[i] = { text: part1, pieces: line.pieces ?? identity(i + 1) };
      continue;
    }
    const next = lines[i + 1];
    const pieces = (line.pieces ?? identity(i + 1)).filter((p) => p.start < part1.length);
    for (const p of next.pieces ?? identity(i + 2))
      pieces.push({ start: p.start + part1.length, line: p.line, column: p.column });
    lines[i] = { text: part1 + next.text, pieces };
    lines[i + 1] = { text: '', pieces: identity(i + 2) };
    i++;
  }
  for (let i = 0; i < lines.length; i++) {
    const p = lines[i].pieces;
    if (p !== null) map.set(i + 1, p);
  }
  return { text: lines.map((l) => l.text).join('\n'), notes, map };
}

/** An iptables command line echoed in a paste (`root@node:~# iptables -t nat -nvL`). */
export interface CommandEcho {
  /** `iptables`, `ip6tables-legacy`, `iptables-save`, ... */
  readonly tool: string;
  readonly family: 'ipv4' | 'ipv6';
  /** `list` for -L, `rules` for -S, `save` for iptables-save. */
  readonly kind: 'list' | 'rules' | 'save';
  /** The table the command shows: `-t`, or iptables' default `filter` for -L/-S. */
  readonly table: string | null;
  /** Whether the table was named with -t (rather than being iptables' default). */
  readonly tableGiven: boolean;
  /** The chain named after -L/-S, when only one chain was listed. */
  readonly chain: string | null;
}

const TOOL_RE = /(?:^|[\s;|&$#>(`])(ip6?tables(?:-nft|-legacy)?(?:-save)?)(?=\s|$)/;

/**
 * Reads an echoed iptables command out of a prompt or prose line. Only the first command of a
 * pipeline counts (`iptables -t nat -L | grep svc`).
 */
export function readCommandEcho(line: string): CommandEcho | null {
  const m = TOOL_RE.exec(line);
  if (m === null) return null;
  const tool = m[1];
  const rest = line.slice(m.index + m[0].length).split(/[|;&>]/, 1)[0];
  const words = rest
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  let table: string | null = null;
  let kind: CommandEcho['kind'] | null = tool.endsWith('-save') ? 'save' : null;
  let chain: string | null = null;
  let expectChain = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '-t' || w === '--table') {
      table = words[i + 1] ?? null;
      i++;
      expectChain = false;
    } else if (w.startsWith('--table=')) {
      table = w.slice('--table='.length);
    } else if (w === '--list' || w === '--list-rules') {
      kind = w === '--list' ? 'list' : 'rules';
      expectChain = true;
    } else if (/^-[a-zA-Z]+$/.test(w) && !w.startsWith('--')) {
      if (w.includes('L')) kind = 'list';
      else if (w.includes('S')) kind = 'rules';
      const t = w.indexOf('t');
      if (t !== -1 && t === w.length - 1 && i + 1 < words.length) {
        table = words[i + 1];
        i++;
      }
      expectChain = w.includes('L') || w.includes('S');
    } else if (w.startsWith('-')) {
      expectChain = false;
    } else if (expectChain && /^[A-Za-z0-9_.:-]+$/.test(w)) {
      chain = w;
      expectChain = false;
    } else {
      expectChain = false;
    }
  }
  if (kind === null) return null;
  const tableGiven = table !== null;
  if (table === null && kind !== 'save') table = 'filter';
  return {
    tool,
    family: tool.startsWith('ip6') ? 'ipv6' : 'ipv4',
    kind,
    table,
    tableGiven,
    chain,
  };
}
