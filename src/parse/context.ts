/**
 * Where the reader is, so every problem can name file:line:column and quote the offending text.
 */
import {
  shortenForProblem,
  type Problem,
  type ProblemCode,
  type ProblemSeverity,
} from '../model/problems.js';

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
 * One line being read: offsets inside `text` convert to 1-based columns. A reader of many lines
 * may keep one and move it from line to line (`moveTo`) instead of making one per line.
 */
export class LineContext {
  constructor(
    public readonly log: ProblemLog,
    public line: number,
    /** Offset of the line's first character in the text that token offsets refer to. */
    public lineStart: number,
  ) {}

  moveTo(line: number, lineStart: number): void {
    this.line = line;
    this.lineStart = lineStart;
  }

  column(offset: number): number {
    return offset - this.lineStart + 1;
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
