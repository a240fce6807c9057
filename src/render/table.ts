/**
 * The one table style of the tool: cli-table3 with a header rule and no rules between rows, so
 * long lists stay readable. Cells must already be escaped (escapeText) when they hold dump text.
 */
import Table from 'cli-table3';

export type TableCell = string | number;

const COMPACT_CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

export interface TableOptions {
  /** Right-align these columns (numbers). */
  readonly alignRight?: readonly number[];
}

/**
 * cli-table3's layout is quadratic in the number of rows (it checks every cell against every
 * span), which takes most of a minute for the 25,000 services of a large cluster. Rows are laid
 * out in chunks of this many, all with the same column widths, and joined.
 */
const CHUNK_ROWS = 250;

function cellWidth(cell: TableCell): number {
  const text = String(cell);
  let width = 0;
  for (const line of text.split('\n')) width = Math.max(width, [...line].length);
  return width;
}

function renderChunk(
  head: readonly string[] | null,
  rows: readonly (readonly TableCell[])[],
  widths: readonly number[],
  opts: TableOptions,
): string[] {
  const table = new Table({
    head: head === null ? [] : [...head],
    chars: COMPACT_CHARS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colAligns: widths.map((_, i) => (opts.alignRight?.includes(i) ? 'right' : 'left')),
    colWidths: [...widths],
  });
  for (const row of rows) table.push([...row]);
  return table.toString().split('\n');
}

export function renderTable(
  head: readonly string[],
  rows: readonly (readonly TableCell[])[],
  opts: TableOptions = {},
): string {
  const widths = head.map((h) => cellWidth(h));
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cellWidth(cell));
    });
  }
  const lines = renderChunk(head, rows.slice(0, CHUNK_ROWS), widths, opts);
  for (let at = CHUNK_ROWS; at < rows.length; at += CHUNK_ROWS) {
    lines.push(...renderChunk(null, rows.slice(at, at + CHUNK_ROWS), widths, opts));
  }
  // A rule under the header, as wide as the table.
  const width = Math.max(...lines.map((l) => l.length));
  lines.splice(1, 0, '-'.repeat(width));
  return lines.map((l) => l.trimEnd()).join('\n');
}
