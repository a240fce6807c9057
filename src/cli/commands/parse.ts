/** `k8s-ipt parse [FILE]`: read a dump and summarise it, or print the model as JSON. */
import type { Command } from 'commander';
import type { Ruleset } from '../../model/ruleset.js';
import { escapeText } from '../../render/escape.js';
import { rulesetToJson, stringifyInert } from '../../render/json.js';
import { plural } from '../../render/plural.js';
import { summarizeProblems } from '../../render/problems.js';
import { printRuleset } from '../../render/save.js';
import { renderTable } from '../../render/table.js';
import { loadRuleset, withInputOptions, type InputOptions } from '../input.js';

interface ParseOptions extends InputOptions {
  json?: boolean;
  save?: boolean;
  counters?: boolean;
}

export function describeInput(ruleset: Ruleset): string {
  const parts: string[] = [ruleset.format];
  const g = ruleset.generator;
  if (g !== null)
    parts.push(`${g.tool} v${g.version}${g.backend !== null ? ` (${g.backend})` : ''}`);
  if (ruleset.family !== 'unknown') parts.push(ruleset.family === 'ipv6' ? 'IPv6' : 'IPv4');
  parts.push(ruleset.hasCounters ? 'with counters' : 'no rule counters');
  if (ruleset.losses.length > 0) parts.push(`lacks: ${ruleset.losses.join(', ')}`);
  return `${escapeText(ruleset.file)}: ${parts.join(', ')}`;
}

export function registerParse(program: Command): void {
  withInputOptions(
    program
      .command('parse')
      .argument('[file]', 'iptables-save output or a listing; - or nothing for standard input')
      .description('read a dump and print a summary of its tables, chains, rules and problems')
      .option('--json', 'print the whole model as JSON')
      .option('--save', 'print the model back as iptables-save text')
      .option('--counters', 'with --save: prefix rules with [packets:bytes]'),
  ).action(async (file: string | undefined, opts: ParseOptions) => {
    const ruleset = await loadRuleset(file, opts);
    if (opts.json) {
      process.stdout.write(stringifyInert(rulesetToJson(ruleset)) + '\n');
      return;
    }
    if (opts.save) {
      const text = printRuleset(ruleset, { counters: opts.counters === true });
      // Faithful when redirected (it may go to iptables-restore); inert on a terminal.
      process.stdout.write(
        process.stdout.isTTY ? text.split('\n').map(escapeText).join('\n') : text,
      );
      return;
    }
    const table = renderTable(
      ['TABLE', 'CHAINS', 'RULES'],
      ruleset.tables.map((t) => [escapeText(t.name), t.chains.length, t.ruleCount]),
      { alignRight: [1, 2] },
    );
    const out = [
      describeInput(ruleset),
      table,
      `${plural(ruleset.tables.length, 'table')}, ${plural(ruleset.chainCount, 'chain')}, ${plural(ruleset.ruleCount, 'rule')}; ${summarizeProblems(ruleset.problems)}`,
    ];
    process.stdout.write(out.join('\n') + '\n');
  });
}
