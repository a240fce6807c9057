/**
 * Markdown building blocks that stay inert whatever the dump contains. Text from a dump may hold
 * Markdown or HTML (`<img src=…>`, `](javascript:…)`, backticks that close a code block early,
 * `@mentions` that would notify people when the report is pasted into an issue), so:
 * - inline text escapes every ASCII punctuation character Markdown reacts to, and `@`;
 * - code spans and fenced blocks use a fence longer than any backtick run in their content;
 * - HTML contexts (`<summary>`) use entities;
 * - all of it first goes through escapeText (control characters, bidi overrides).
 */
import { escapeText } from './escape.js';

// Characters that start emphasis, code, links, images, HTML, entities, tables, strikethrough or
// headings anywhere in a line.
const MARKDOWN_PUNCTUATION = /[\\`*_[\]<>&|~!#]/g;

/** Plain text in a paragraph or table cell: nothing in it can become markup. */
export function mdText(text: string): string {
  return (
    escapeText(text)
      .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`)
      // GFM autolinks (`http://…`, `www.…`) and list or heading markers at the start.
      .replace(/:\/\//g, '\\:/\\/')
      .replace(/\bwww\./gi, (m) => `${m.slice(0, -1)}\\.`)
      .replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2')
      .replace(/^([-+])(?=\s|$)/, '\\$1')
      // An @name would notify that GitHub user when the report is pasted into an issue.
      .replace(/@/g, '@\u200b')
  );
}

function longestRun(text: string, char: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/** A code span; safe in table cells too (pipes are escaped the GFM way). */
export function mdCode(text: string): string {
  const body = escapeText(text);
  if (body === '') return '` `';
  const fence = '`'.repeat(longestRun(body, '`') + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || body.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`.replace(/\|/g, '\\|');
}

/** A fenced code block whose fence no line of the content can close. */
export function mdFence(lines: readonly string[], info = ''): string {
  const body = lines.map(escapeText);
  const fence = '`'.repeat(Math.max(3, ...body.map((l) => longestRun(l, '`') + 1)));
  return [`${fence}${info}`, ...body, fence].join('\n');
}

/** Text for an HTML context (`<summary>`): entities for the characters HTML reacts to. */
export function htmlText(text: string): string {
  return escapeText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/@/g, '&#64;\u200b');
}

/** A collapsible block; `body` is Markdown (already escaped by the caller). */
export function mdDetails(summaryText: string, body: string): string {
  return `<details><summary>${htmlText(summaryText)}</summary>\n\n${body}\n\n</details>`;
}

/** A GFM table; cells must already be Markdown (mdText / mdCode). */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c) => c.replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
