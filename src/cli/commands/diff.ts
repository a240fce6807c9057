/** `k8s-ipt diff A B`: what differs between two dumps, by service and optionally by rule. */
import type { Command } from 'commander';
import { diffKubeModels } from '../../diff/diff.js';
import { buildKubeModel } from '../../kube/model.js';
import { diffToJson, stringifyInert } from '../../render/diff-json.js';
import { renderDiffText } from '../../render/diff-text.js';
import { CliError, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { loadRuleset, withInputOptions, type InputOptions } from '../input.js';

/** With --exit-code, like `git diff --exit-code`: 1 when the dumps differ. */
export const EXIT_DIFFERENT = 1;

interface DiffCommandOptions extends InputOptions {
  rules?: boolean;
  json?: boolean;
  exitCode?: boolean;
}

export function registerDiff(program: Command): void {
  withInputOptions(
    program
      .command('diff')
      .argument('<a>', 'the first dump (before, or node A); - for standard input')
      .argument('<b>', 'the second dump (after, or node B); - for standard input')
      .description(
        'compare two dumps service by service: services added or removed, ClusterIP/NodePort, endpoints and their probabilities, affinity and traffic policies',
      )
      .option(
        '--rules',
        'also compare rule by rule, chain by chain (counters and hash names ignored)',
      )
      .option('--json', 'print the differences as JSON')
      .option('--exit-code', 'exit with 1 when the dumps differ, 0 when they do not'),
  ).action(async (fileA: string, fileB: string, opts: DiffCommandOptions) => {
    if (fileA === '-' && fileB === '-') {
      throw new CliError('only one of the two dumps can come from standard input', EXIT_USAGE);
    }
    const a = buildKubeModel(await loadRuleset(fileA, opts));
    const b = buildKubeModel(await loadRuleset(fileB, opts));
    const diff = diffKubeModels(a, b, { rules: opts.rules === true });
    process.stdout.write(
      opts.json ? stringifyInert(diffToJson(diff)) + '\n' : renderDiffText(diff),
    );
    process.exitCode = opts.exitCode && !diff.identical ? EXIT_DIFFERENT : EXIT_OK;
  });
}
