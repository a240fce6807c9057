/**
 * Editing a fixture the way a node's rules get damaged: extra chains and rules appended to one
 * table (a stale chain, a hand-made rule), or rules inserted at a chain's top (`iptables -I`).
 */
import { readFixture } from '../helpers.js';

interface TableBlock {
  readonly start: number;
  readonly end: number;
}

function tableBlock(lines: readonly string[], table: string): TableBlock {
  const start = lines.indexOf(`*${table}`);
  if (start === -1) throw new Error(`no *${table} in dump`);
  let end = start + 1;
  while (end < lines.length && lines[end] !== 'COMMIT') end++;
  return { start, end };
}

export interface TableEdit {
  /** `:NAME - [0:0]` lines. */
  readonly chains?: readonly string[];
  /** `-A ...` lines, appended at the end of the table. */
  readonly append?: readonly string[];
  /** `-A CHAIN ...` lines, each put before the first rule of its chain (like `iptables -I`). */
  readonly insert?: readonly string[];
}

export function editTable(text: string, table: string, edit: TableEdit): string {
  const lines = text.split('\n');
  const block = tableBlock(lines, table);
  const body = lines.slice(block.start + 1, block.end);
  const declarations = body.filter((l) => l.startsWith(':'));
  let rules = body.filter((l) => !l.startsWith(':'));
  for (const line of edit.insert ?? []) {
    const chain = line.split(' ')[1];
    const at = rules.findIndex((l) => l.replace(/^\[\d+:\d+\] /, '').startsWith(`-A ${chain} `));
    rules = at === -1 ? [...rules, line] : [...rules.slice(0, at), line, ...rules.slice(at)];
  }
  const out = [
    ...lines.slice(0, block.start + 1),
    ...declarations,
    ...(edit.chains ?? []),
    ...rules,
    ...(edit.append ?? []),
    ...lines.slice(block.end),
  ];
  return out.join('\n');
}

export function editFixture(name: string, table: string, edit: TableEdit): string {
  return editTable(readFixture(name), table, edit);
}
