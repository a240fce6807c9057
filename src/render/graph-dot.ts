/**
 * The chain graph in Graphviz DOT. Node identifiers are generated (`n0`, `n1`, ...), so no name
 * from a dump is ever DOT syntax; every label and tooltip is a quoted string escaped by
 * `dotString`, so a hostile chain name or comment stays text.
 */
import type { ChainGraph } from '../graph/model.js';
import { escapeText } from './escape.js';
import { KIND_STYLES, edgeLines, kindsUsed, nodeLines } from './graph-style.js';

/** Where a string goes decides how often Graphviz reads backslash escapes in it. */
export type DotStringKind = 'label' | 'tooltip';

/**
 * One line of text as the inside of a DOT quoted string. Control characters become visible
 * escapes first (escapeText). Graphviz reads its own escapes (`\N` node name, `\G`, `\E`,
 * `\l`, ...) once in labels and twice in tooltips (checked with `dot -Tsvg`), so each `\` is
 * written as 2 or 4 backslashes and none can form an escape; `"` is escaped for the DOT lexer,
 * and `&` is written `&amp;` because Graphviz decodes HTML entities in every string.
 */
export function dotText(text: string, kind: DotStringKind = 'label'): string {
  const backslash = kind === 'tooltip' ? '\\\\\\\\' : '\\\\';
  return escapeText(text).replace(/\\/g, backslash).replace(/"/g, '\\"').replace(/&/g, '&amp;');
}

/** Lines as one DOT quoted string, joined with `\n` (centred lines). */
export function dotString(lines: readonly string[], kind: DotStringKind = 'label'): string {
  return `"${lines.map((l) => dotText(l, kind)).join('\\n')}"`;
}

const VERDICT_SHAPES: Readonly<Record<string, string>> = {
  DROP: 'octagon',
  REJECT: 'octagon',
  ACCEPT: 'ellipse',
};

export interface DotOptions {
  /** The title drawn above the graph (dump file, tables, services). */
  readonly title: string;
}

export function renderGraphDot(graph: ChainGraph, options: DotOptions): string {
  const ids = new Map<string, string>();
  graph.nodes.forEach((n, i) => ids.set(n.id, `n${i}`));

  const out: string[] = [
    'digraph k8s_ipt {',
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=12, labelloc=t, label=${dotString([options.title])}];`,
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
  ];

  graph.tables.forEach((table, t) => {
    out.push(`  subgraph cluster_t${t} {`, `    label=${dotString([table])};`, '    style=dashed;');
    for (const n of graph.nodes) {
      if (n.table !== table) continue;
      const attrs = [`label=${dotString(nodeLines(n))}`, `fillcolor="${KIND_STYLES[n.kind].fill}"`];
      if (n.kind === 'verdict') attrs.push(`shape=${VERDICT_SHAPES[n.name] ?? 'box'}`);
      if (!n.declared && n.kind !== 'verdict') attrs.push('color="#cc0000"');
      attrs.push(
        `tooltip=${dotString([`${n.table} ${n.name}: ${KIND_STYLES[n.kind].legend}`], 'tooltip')}`,
      );
      out.push(`    ${ids.get(n.id)} [${attrs.join(', ')}];`);
    }
    out.push('  }');
  });

  for (const e of graph.edges) {
    const attrs: string[] = [];
    const lines = edgeLines(e);
    if (lines.length > 0) attrs.push(`label=${dotString(lines)}`);
    if (e.comment !== null) attrs.push(`tooltip=${dotString([e.comment], 'tooltip')}`);
    if (e.goto) attrs.push('style=dashed');
    out.push(
      `  ${ids.get(e.from)} -> ${ids.get(e.to)}${attrs.length > 0 ? ` [${attrs.join(', ')}]` : ''};`,
    );
  }

  const kinds = kindsUsed(graph.nodes);
  if (kinds.length > 0) {
    out.push('  subgraph cluster_legend {', '    label="chain kinds";', '    style=solid;');
    kinds.forEach((k, i) => {
      out.push(
        `    legend${i} [label=${dotString([KIND_STYLES[k].legend])}, fillcolor="${KIND_STYLES[k].fill}"];`,
      );
    });
    // One rank: with rankdir=LR that stacks the legend as a column beside the drawing.
    out.push(`    { rank=same; ${kinds.map((_, i) => `legend${i};`).join(' ')} }`);
    out.push('  }');
  }
  out.push('}');
  return out.join('\n') + '\n';
}
