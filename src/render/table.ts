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

export function renderTable(
  head: readonly string[],
  rows: readonly (readonly TableCell[])[],
  opts: TableOptions = {},
): string {
  const table = new Table({
    head: [...head],
    chars: COMPACT_CHARS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colAligns: head.map((_, i) => (opts.alignRight?.includes(i) ? 'right' : 'left')),
  });
  for (const row of rows) table.push([...row]);
  const lines = table.toString().split('\n');
  // A rule under the header, as wide as the table.
  const width = Math.max(...lines.map((l) => l.length));
  lines.splice(1, 0, '-'.repeat(width));
  return lines.map((l) => l.trimEnd()).join('\n');
}
