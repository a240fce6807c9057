/**
 * `k8s-ipt check [FILE]`: what is broken or suspicious in the rules, as findings with a stable
 * code, a severity and a location. Exits 1 when any error-level finding remains.
 */
import type { Command } from 'commander';
import { FINDING_CODES, isFindingCode } from '../../check/codes.js';
import type { FindingCode } from '../../check/finding.js';
import { hasErrors, runChecks } from '../../check/run.js';
import { buildKubeModel } from '../../kube/model.js';
import { stringifyInert } from '../../render/diff-json.js';
import { escapeText } from '../../render/escape.js';
import { checkToJson } from '../../render/findings-json.js';
import { renderFindingsText } from '../../render/findings.js';
import { renderTable } from '../../render/table.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { loadRuleset, withInputOptions, type InputOptions } from '../input.js';

interface CheckOptions extends InputOptions {
  json?: boolean;
  explain?: boolean;
  ignore: string[];
  codes?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function parseIgnoredCodes(values: readonly string[]): Set<FindingCode> {
  const out = new Set<FindingCode>();
  for (const value of values) {
    for (const code of value.split(',').map((s) => s.trim())) {
      if (code === '') continue;
      if (!isFindingCode(code)) {
        throw new CliError(
          `--ignore: unknown finding code "${escapeText(code)}" (k8s-ipt check --codes lists them)`,
          EXIT_USAGE,
        );
      }
      out.add(code);
    }
  }
  return out;
}

function codesTable(): string {
  return (
    renderTable(
      ['CODE', 'SEVERITY', 'MEANING'],
      FINDING_CODES.map((c) => [c.code, c.severity, c.summary]),
    ) + '\n'
  );
}

export function registerCheck(program: Command): void {
  withInputOptions(
    program
      .command('check')
      .argument('[file]', 'iptables-save output or a listing; - or nothing for standard input')
      .description(
        'find what is broken or suspicious: services without endpoints, stale chains, unbalanced ladders, shadowed rules, mixed iptables; exit 1 on any error',
      )
      .option('--json', 'print the findings as JSON')
      .option('--explain', 'print the reasoning and the rules behind each finding')
      .option(
        '--ignore <codes>',
        'leave out findings with these codes (comma-separated, repeatable)',
        collect,
        [],
      )
      .option('--codes', 'list every finding code with its severity and meaning, and exit'),
  ).action(async (file: string | undefined, opts: CheckOptions) => {
    if (opts.codes) {
      process.stdout.write(codesTable());
      return;
    }
    const ignore = parseIgnoredCodes(opts.ignore);
    const ruleset = await loadRuleset(file, opts);
    const findings = runChecks(ruleset, buildKubeModel(ruleset), { ignore });
    if (opts.json) {
      process.stdout.write(stringifyInert(checkToJson(ruleset.file, findings)) + '\n');
    } else {
      process.stdout.write(
        renderFindingsText(ruleset.file, findings, { verbose: opts.explain === true }),
      );
    }
    process.exitCode = hasErrors(findings) ? EXIT_FINDINGS : EXIT_OK;
  });
}
