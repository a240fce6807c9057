/**
 * Where the reader is, so every problem can name file:line:column and quote the offending text.
 */
import {
  shortenForProblem,
  type Problem,
  type ProblemCode,
  type ProblemSeverity,
} from '../model/problems.js';
import { LEGACY_WARNING } from '../input/clean.js';

export class ProblemLog {
  constructor(
    public readonly file: string,
    public readonly problems: Problem[],
  ) {}

  add(
    severity: ProblemSeverity,
    code: ProblemCode,
    line: number,
    column: number,
    text: string,
    message: string,
    expected: string | null = null,
  ): void {
    this.problems.push({
      severity,
      code,
      file: this.file,
      line,
      column,
      text: shortenForProblem(text),
      message,
      expected,
    });
  }
}

/**
 * One line being read: offsets inside `text` convert to 1-based columns. Readers of whole texts
 * use a LineCursor, which is this for the line it stands on.
 */
export class LineContext {
  constructor(
    public readonly log: ProblemLog,
    public line: number,
    /** Offset of the line's first character in the text that token offsets refer to. */
    public lineStart: number,
  ) {}

  column(offset: number): number {
    return offset - this.lineStart + 1;
  }

  /**
   * The iptables-save reader keeps one context and moves it from line to line: its hot loop
   * and its deferred chains (read later, line by line) share it without a LineCursor's walk.
   */
  moveTo(line: number, lineStart: number): void {
    this.line = line;
    this.lineStart = lineStart;
  }

  report(
    severity: ProblemSeverity,
    code: ProblemCode,
    offset: number,
    text: string,
    message: string,
    expected: string | null = null,
  ): void {
    this.log.add(severity, code, this.line, this.column(offset), text, message, expected);
  }
}

/**
 * Walks a text line by line for the readers that scan line structure by hand, and is the
 * LineContext of the line it stands on. Offsets stay those of the whole text, so rule tokens
 * and columns need no translation; blank lines are counted and passed over.
 */
export class LineCursor extends LineContext {
  /** The current line without its leading and trailing blanks: `text.slice(start, end)`. */
  start = 0;
  end = 0;
  /** The current line ends the text without a newline, so it may have been cut short. */
  last = false;
  private pos = 0;

  constructor(
    log: ProblemLog,
    private readonly text: string,
    /**
     * Terminals pad `-L` and `-S` lines with blanks, so those readers drop them; save-format
     * readers drop only `\r` and leave the rest to their own line grammar.
     */
    private readonly trimTrailingBlanks: boolean,
  ) {
    super(log, 0, 0);
  }

  /** Moves to the next line that is not blank; false once the text is used up. */
  next(): boolean {
    const text = this.text;
    const length = text.length;
    while (this.pos < length) {
      let eol = text.indexOf('\n', this.pos);
      this.last = eol === -1;
      if (eol === -1) eol = length;
      this.line++;
      const lineStart = this.pos;
      this.pos = eol + 1;
      let end = eol;
      if (this.trimTrailingBlanks) {
        while (end > lineStart) {
          const c = text.charCodeAt(end - 1);
          if (c !== 13 && c !== 32 && c !== 9) break;
          end--;
        }
      } else if (end > lineStart && text.charCodeAt(end - 1) === 13) end--;
      let start = lineStart;
      while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9))
        start++;
      if (start === end) continue;
      this.lineStart = lineStart;
      this.start = start;
      this.end = end;
      return true;
    }
    return false;
  }

  /** Reports a problem that quotes the whole line, at its first non-blank character. */
  reportLine(
    severity: ProblemSeverity,
    code: ProblemCode,
    message: string,
    expected: string | null = null,
  ): void {
    this.report(
      severity,
      code,
      this.start,
      this.text.slice(this.start, this.end),
      message,
      expected,
    );
  }
}

/**
 * Reports the line iptables-nft adds when iptables-legacy tables also exist; false when `line`
 * is not that warning. `input` names what the reader reads, for the message.
 */
export function readLegacyWarning(
  at: LineCursor,
  line: string,
  input: 'listing' | 'output' | 'dump',
): boolean {
  if (!line.startsWith(LEGACY_WARNING)) return false;
  at.reportLine(
    'warning',
    'legacy-tables-present',
    `iptables-legacy tables are also present on this node: rules in the other backend are not in this ${input} and also act on packets`,
  );
  return true;
}
