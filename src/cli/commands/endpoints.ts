/**
 * `k8s-ipt endpoints <SERVICE | IP:PORT> [FILE]` (alias `ep`): where a service's new connections
 * go, with each endpoint's effective probability, counters and observed share.
 */
import type { Command } from 'commander';
import { buildKubeModel } from '../../kube/build.js';
import { findServicePorts, parseServiceQuery } from '../../kube/lookup.js';
import { renderEndpoints } from '../../render/endpoints-table.js';
import { escapeText } from '../../render/escape.js';
import { stringifyInert } from '../../render/json.js';
import { kubeModelToJson } from '../../render/services-json.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { loadRuleset, withInputOptions, type InputOptions } from '../input.js';

interface EndpointsOptions extends InputOptions {
  json?: boolean;
}

export function registerEndpoints(program: Command): void {
  withInputOptions(
    program
      .command('endpoints')
      .alias('ep')
      .argument(
        '<service>',
        'ns/name[:port] (globs allowed), IP:PORT[/proto], IP, or a KUBE-SVC/SEP chain name',
      )
      .argument('[file]', 'iptables-save output or a listing; - or nothing for standard input')
      .description(
        "show a service's endpoints with their effective probabilities, counters and observed shares",
      )
      .option(
        '--json',
        'print the matching service ports and their endpoints as JSON (shape in the README)',
      ),
  ).action(async (query: string, file: string | undefined, opts: EndpointsOptions) => {
    if (parseServiceQuery(query) === null) {
      throw new CliError('give a service as ns/name[:port], IP:PORT or a chain name', EXIT_USAGE);
    }
    const ruleset = await loadRuleset(file, opts);
    const model = buildKubeModel(ruleset);
    const found = findServicePorts(model, query);
    if (opts.json) {
      process.stdout.write(stringifyInert({ query, ...kubeModelToJson(model, found) }) + '\n');
      return;
    }
    if (found.length === 0) {
      const hint =
        model.mode === 'ipvs'
          ? ' (kube-proxy runs in IPVS mode here: services are not in the iptables rules)'
          : model.services.length === 0
            ? ' (this input holds no service rules)'
            : ' (see `k8s-ipt services` for what the input holds)';
      throw new CliError(
        `no service matches ${escapeText(query)} in ${escapeText(ruleset.file)}${hint}`,
        EXIT_USAGE,
      );
    }
    process.stdout.write(renderEndpoints(model, found));
  });
}
