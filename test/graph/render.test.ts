import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildChainGraph } from '../../src/graph/build.js';
import type { ChainGraph } from '../../src/graph/model.js';
import { buildKubeModel } from '../../src/kube/model.js';
import { escapeText } from '../../src/render/escape.js';
import { dotText, renderGraphDot } from '../../src/render/graph-dot.js';
import { mermaidText, renderGraphMermaid } from '../../src/render/graph-mermaid.js';
import { FIXTURES, ROOT, loadFixture, parseText } from '../helpers.js';
import { readFileSync } from 'node:fs';

const HOSTILE = path.join(ROOT, 'test/graph/fixtures/hostile.save');
const EVIL_CHAIN = 'EV"IL}{<b>&;|`\\N';

const hasDot = spawnSync('dot', ['-V'], { encoding: 'utf8' }).error === undefined;
if (!hasDot) {
  console.warn('skipping the Graphviz tests: `dot` is not installed (apt-get install -y graphviz)');
}

/** Renders DOT with Graphviz; returns the SVG or throws with dot's message. */
function dotSvg(dot: string): string {
  const r = spawnSync('dot', ['-Tsvg'], {
    input: dot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`dot -Tsvg failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** What SVG text nodes and titles hold, XML entities decoded. */
function svgStrings(svg: string): string[] {
  const decode = (s: string): string =>
    s
      .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const out: string[] = [];
  for (const m of svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)) out.push(decode(m[1]));
  for (const m of svg.matchAll(/xlink:title="([^"]*)"/g)) out.push(decode(m[1]));
  return out;
}

function hostileGraph(): ChainGraph {
  const model = buildKubeModel(parseText(readFileSync(HOSTILE, 'utf8'), 'hostile.save'));
  return buildChainGraph(model, { tables: 'all', services: null });
}

describe('DOT escaping', () => {
  it('escapes quotes, backslashes (twice as many in tooltips), entities and controls', () => {
    expect(dotText('a"b')).toBe('a\\"b');
    expect(dotText('x\\N')).toBe('x\\\\N');
    expect(dotText('x\\N', 'tooltip')).toBe('x\\\\\\\\N');
    expect(dotText('a&lt;b')).toBe('a&amp;lt;b');
    expect(dotText('end\\')).toBe('end\\\\');
    expect(dotText('bell\u0007 rlo\u202e')).toBe('bell\\\\x07 rlo\\\\u202e');
  });

  it.skipIf(!hasDot)('a hostile ruleset renders with Graphviz and every name stays text', () => {
    const graph = hostileGraph();
    const svg = dotSvg(renderGraphDot(graph, { title: 'hostile' }));
    const strings = svgStrings(svg);
    // The chain name, as a label and inside its tooltip; `\N` not replaced by a node name.
    expect(strings).toContain(EVIL_CHAIN);
    expect(strings).toContain(`nat ${EVIL_CHAIN}: other chain`);
    // The comment as the edge's tooltip, control characters made visible.
    expect(strings).toContain(
      'a "quoted" \\N label & <b>bold</b> }; digraph x { end `|p| #quot; red\\u202eevil',
    );
    expect(
      strings.some(
        (s) => s.startsWith('tab\\there & "quotes"') && s.includes('\\x01soh \\x9b31mcsi'),
      ),
    ).toBe(true);
    // Mermaid's keywords and DOT's own words as chain names are plain nodes.
    expect(strings).toContain('end');
    expect(strings).toContain('subgraph');
    expect(graph.edges).toHaveLength(5);
  });
});

describe('Graphviz renders every fixture', () => {
  const fixtures = readdirSync(FIXTURES).filter(
    (f) => f.endsWith('.save') && !f.includes('.legacy') && !f.includes('.counters'),
  );

  it('has fixtures to render', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(9);
  });

  it.skipIf(!hasDot)('the whole graph of all tables of each fixture', () => {
    for (const f of fixtures) {
      const model = buildKubeModel(loadFixture(f));
      const graph = buildChainGraph(model, { tables: 'all', services: null });
      expect(graph.nodes.length, f).toBeGreaterThan(0);
      const svg = dotSvg(renderGraphDot(graph, { title: f }));
      expect(svg, f).toContain('</svg>');
    }
  });

  it.skipIf(!hasDot)('each service of the modern fixture, nat and filter', () => {
    const model = buildKubeModel(loadFixture('k8s-1.28-etp-local-calico.save'));
    expect(model.services.length).toBeGreaterThanOrEqual(10);
    for (const s of model.services) {
      const graph = buildChainGraph(model, { tables: ['nat', 'filter'], services: [s] });
      expect(graph.nodes.length, s.identity.label).toBeGreaterThan(0);
      const strings = svgStrings(dotSvg(renderGraphDot(graph, { title: s.identity.label })));
      expect(strings, s.identity.label).toContain(s.identity.label);
    }
  });
});

// Mermaid has no renderer here; the output is checked against the grammar subset it uses.
const LABEL = String.raw`"(?:[A-Za-z0-9 .,:/_=+*%!?@()\[\]-]|#\d+;|<br/>)*"`;
const MERMAID_LINE = new RegExp(
  [
    String.raw`^flowchart LR$`,
    String.raw`^  subgraph t\d+\[${LABEL}\]$`,
    String.raw`^    n\d+(?:\(${LABEL}\)|\{\{${LABEL}\}\})$`,
    String.raw`^  end$`,
    String.raw`^  n\d+ (?:-->|-\.->)(?:\|${LABEL}\|)? n\d+$`,
    String.raw`^  classDef k_[a-z_]+ fill:#[0-9a-f]{6},stroke:#555555$`,
    String.raw`^  class n\d+(?:,n\d+)* k_[a-z_]+$`,
  ].join('|'),
);

function decodeMermaid(label: string): string {
  return label
    .replace(/<br\/>/g, '\n')
    .replace(/#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
}

describe('Mermaid output', () => {
  it('writes every character outside a safe set as an entity code', () => {
    expect(mermaidText('KUBE-SVC-ABC')).toBe('KUBE-SVC-ABC');
    expect(mermaidText('a"b|c')).toBe('a#34;b#124;c');
    expect(mermaidText('#quot;')).toBe('#35;quot#59;');
    expect(mermaidText('<br/>`x`')).toBe('#60;br/#62;#96;x#96;');
  });

  it('uses only the expected statements, and labels decode to the escaped dump text', () => {
    const graph = hostileGraph();
    const text = renderGraphMermaid(graph);
    const lines = text.trimEnd().split('\n');
    for (const line of lines) expect(line, line).toMatch(MERMAID_LINE);
    const labels = [...text.matchAll(/"([^"]*)"/g)].map((m) => decodeMermaid(m[1]));
    expect(labels).toContain(escapeText(EVIL_CHAIN));
    expect(labels).toContain('tcp dport 80');
    // No edge label or node text carries Mermaid syntax through.
    expect(text).not.toContain('click');
    expect(text).not.toContain('javascript');
  });

  it('follows the grammar for every fixture graph', () => {
    for (const f of [
      'k8s-1.28-etp-local-calico.save',
      'k8s-1.16-xlb-flannel.save',
      'k8s-1.28-ipv6.save',
    ]) {
      const model = buildKubeModel(loadFixture(f));
      const text = renderGraphMermaid(
        buildChainGraph(model, { tables: ['nat', 'filter'], services: null }),
      );
      for (const line of text.trimEnd().split('\n'))
        expect(line, `${f}: ${line}`).toMatch(MERMAID_LINE);
    }
  });
});
