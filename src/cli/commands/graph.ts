/**
 * `k8s-ipt graph [FILE]`: the chain graph as Graphviz DOT or Mermaid, whole or for some
 * services. `--format` names the output here (dot, mermaid), so the input format is
 * `--input-format`; `--table` chooses what to draw and, when it names a single table, is also
 * the table a listing without a table name is read as.
 */
import { Option, type Command } from 'commander';
import { buildChainGraph } from '../../graph/build.js';
import {
  buildKubeModel,
  findServicePorts,
  type KubeModel,
  type ServicePort,
} from '../../kube/model.js';
import type { InputFormat } from '../../model/ruleset.js';
import { stringifyInert } from '../../render/diff-json.js';
import { escapeText } from '../../render/escape.js';
import { renderGraphDot } from '../../render/graph-dot.js';
import { graphToJson } from '../../render/graph-json.js';
import { renderGraphMermaid } from '../../render/graph-mermaid.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { loadRuleset, withInputOptions } from '../input.js';

interface GraphCommandOptions {
  service?: string[];
  format: 'dot' | 'mermaid';
  json?: boolean;
  table: string;
  strict?: boolean;
  inputFormat?: InputFormat;
  quiet?: boolean;
}

/** `nat` (default), `filter`, `both` (nat and filter), `all`, or a comma-separated list. */
export function parseTables(text: string): readonly string[] | 'all' {
  const t = text.trim();
  if (t === 'all') return 'all';
  if (t === 'both') return ['nat', 'filter'];
  const list = t
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (list.length === 0)
    throw new CliError(`--table: no table named in "${escapeText(text)}"`, EXIT_USAGE);
  return list;
}

function selectServices(model: KubeModel, queries: readonly string[]): ServicePort[] {
  const chosen: ServicePort[] = [];
  for (const q of queries) {
    const found = findServicePorts(model, q);
    if (found.length === 0) {
      const known = model.services.slice(0, 8).map((s) => escapeText(s.identity.label));
      const more = model.services.length > known.length ? ', ...' : '';
      throw new CliError(
        `no service port matches "${escapeText(q)}" in ${escapeText(model.ruleset.file)}` +
          (known.length > 0
            ? ` (it has ${known.join(', ')}${more})`
            : ' (it has no service ports)'),
        EXIT_USAGE,
      );
    }
    for (const s of found) if (!chosen.includes(s)) chosen.push(s);
  }
  return chosen;
}

function title(
  model: KubeModel,
  tables: readonly string[] | 'all',
  services: readonly ServicePort[] | null,
): string {
  const parts = [model.ruleset.file, tables === 'all' ? 'all tables' : tables.join(', ')];
  if (services !== null) parts.push(services.map((s) => s.identity.label).join(', '));
  return parts.join(' | ');
}

export function registerGraph(program: Command): void {
  const cmd = program
    .command('graph')
    .argument('[file]', 'iptables-save output or a listing; - or nothing for standard input')
    .description('draw the chain graph (Graphviz DOT or Mermaid), whole or for some services')
    .option(
      '-s, --service <query>',
      'only this service port (repeat for more): ns/name[:port], IP[:PORT][/proto], or a chain name',
      // Repeatable rather than variadic, so a FILE after it is not taken for a second query.
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['dot', 'mermaid']).default('dot'),
    )
    .option('--json', 'print the graph as JSON instead')
    .option(
      '-t, --table <tables>',
      'nat, filter, both (nat and filter), all, or a comma-separated list',
      'nat',
    );
  withInputOptions(cmd, { formatIsOutput: true, ownTable: true }).action(
    async (file: string | undefined, opts: GraphCommandOptions) => {
      const tables = parseTables(opts.table);
      const ruleset = await loadRuleset(file, {
        strict: opts.strict,
        format: opts.inputFormat,
        // A listing without a table name is read as the one table asked for.
        table: tables !== 'all' && tables.length === 1 ? tables[0] : undefined,
        quiet: opts.quiet,
      });
      const model = buildKubeModel(ruleset);
      const services = opts.service === undefined ? null : selectServices(model, opts.service);
      const graph = buildChainGraph(model, { tables, services });
      if (graph.nodes.length === 0) {
        const where = tables === 'all' ? 'any table' : `the ${escapeText(tables.join(', '))} table`;
        const hint =
          services !== null && tables !== 'all'
            ? ' (its rules may be in another table: try --table both)'
            : '';
        const what = services === null ? 'no chains' : 'no rules for it';
        process.stderr.write(
          `k8s-ipt: nothing to draw: ${escapeText(ruleset.file)} has ${what} in ${where}${hint}\n`,
        );
      }
      if (opts.json) {
        process.stdout.write(stringifyInert(graphToJson(graph)) + '\n');
      } else if (opts.format === 'mermaid') {
        process.stdout.write(renderGraphMermaid(graph));
      } else {
        process.stdout.write(renderGraphDot(graph, { title: title(model, tables, services) }));
      }
    },
  );
}
