/** The k8s-ipt command line: one module per command, wired here. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerParse } from './commands/parse.js';
import { registerDiff } from './commands/diff.js';
import { registerServices } from './commands/services.js';
import { registerEndpoints } from './commands/endpoints.js';
import { registerGraph } from './commands/graph.js';
import { registerTrace } from './commands/trace.js';
import { registerBrowse } from './commands/browse.js';
import { registerCheck } from './commands/check.js';
import { registerReport } from './commands/report.js';
import { CliError, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('k8s-ipt')
    .description(
      'Analyse and debug the iptables rules kube-proxy writes: services, endpoints, packet traces.',
    )
    .version(version(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerParse(program);
  registerDiff(program);
  registerServices(program);
  registerEndpoints(program);
  registerGraph(program);
  registerTrace(program);
  registerBrowse(program);
  registerCheck(program);
  registerReport(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    process.exitCode = process.exitCode ?? EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with code 0.
      process.exitCode = err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`k8s-ipt: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`k8s-ipt: internal error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}
