/**
 * The chain graph as a Mermaid flowchart (pastes into GitHub issues and Markdown). Node and
 * subgraph identifiers are generated (`n0`, `t0`), so Mermaid keywords or syntax in chain names
 * cannot reach the parser; every label is a quoted string in which anything but plain letters,
 * digits and a few safe punctuation marks is written as a Mermaid entity code (`#34;`).
 */
import type { ChainGraph, GraphNodeKind } from '../graph/model.js';
import { escapeText } from './escape.js';
import { KIND_STYLES, edgeLines, kindsUsed, nodeLines } from './graph-style.js';

// Characters that mean nothing inside a Mermaid quoted string or the HTML it renders into.
const SAFE = /[A-Za-z0-9 .,:/_=+*%!?@()[\]-]/;

/** One line of label text with every other character as an entity code. */
export function mermaidText(text: string): string {
  let out = '';
  for (const c of escapeText(text)) {
    out += SAFE.test(c) ? c : `#${c.codePointAt(0)};`;
  }
  return out;
}

/** Label lines as a Mermaid quoted string, lines joined with `<br/>`. */
export function mermaidString(lines: readonly string[]): string {
  return `"${lines.map(mermaidText).join('<br/>')}"`;
}

function className(kind: GraphNodeKind): string {
  return `k_${kind.replace(/-/g, '_')}`;
}

export function renderGraphMermaid(graph: ChainGraph): string {
  const ids = new Map<string, string>();
  graph.nodes.forEach((n, i) => ids.set(n.id, `n${i}`));

  const out: string[] = ['flowchart LR'];
  graph.tables.forEach((table, t) => {
    out.push(`  subgraph t${t}[${mermaidString([table])}]`);
    for (const n of graph.nodes) {
      if (n.table !== table) continue;
      const label = mermaidString(nodeLines(n));
      // Verdicts are drawn as hexagons, chains as rounded boxes.
      out.push(`    ${ids.get(n.id)}${n.kind === 'verdict' ? `{{${label}}}` : `(${label})`}`);
    }
    out.push('  end');
  });

  for (const e of graph.edges) {
    const lines = edgeLines(e);
    const arrow = e.goto ? '-.->' : '-->';
    const label = lines.length > 0 ? `|${mermaidString(lines)}|` : '';
    out.push(`  ${ids.get(e.from)} ${arrow}${label} ${ids.get(e.to)}`);
  }

  for (const kind of kindsUsed(graph.nodes)) {
    const members = graph.nodes.filter((n) => n.kind === kind).map((n) => ids.get(n.id));
    out.push(`  classDef ${className(kind)} fill:${KIND_STYLES[kind].fill},stroke:#555555`);
    out.push(`  class ${members.join(',')} ${className(kind)}`);
  }
  return out.join('\n') + '\n';
}
