/**
 * `k8s-ipt report [FILE]`: a document to paste into a bug report: environment, findings with
 * the rules behind them, services, and optional traces; `--redact` replaces every address and
 * name with a consistent pseudonym before anything is built, so nothing original can show.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { runChecks } from '../../check/run.js';
import { buildKubeModel } from '../../kube/model.js';
import type { KubeModel } from '../../kube/model.js';
import type { Ruleset } from '../../model/ruleset.js';
import { stringifyInert } from '../../render/diff-json.js';
import { renderReportMarkdown } from '../../render/markdown-report.js';
import { buildReportDocument, type ReportDocument } from '../../report/document.js';
import { redactionKey } from '../../report/redact/key.js';
import { Redactor } from '../../report/redact/redactor.js';
import { redactRuleset } from '../../report/redact/ruleset.js';
import { traceSection } from '../../report/traces.js';
import type { InputFormat } from '../../model/ruleset.js';
import { loadRuleset, withInputOptions } from '../input.js';

/** `--format` names the output here (md, json), so the input format is `--input-format`. */
interface ReportOptions {
  redact?: boolean;
  redactKey?: string;
  format: 'md' | 'json';
  trace: string[];
  strict?: boolean;
  inputFormat?: InputFormat;
  table?: string;
  quiet?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function toolVersion(): string {
  const pkg = JSON.parse(
    readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return pkg.version;
}

export interface ReportRequest {
  readonly redact: boolean;
  readonly redactKey?: string;
  readonly traces: readonly string[];
  readonly toolVersion: string;
}

/** The whole report from a ruleset as read: redaction first, then everything on the result. */
export function buildReport(original: Ruleset, request: ReportRequest): ReportDocument {
  let originalKube: KubeModel | null = null;
  const originalView = (): KubeModel => (originalKube ??= buildKubeModel(original));
  let ruleset = original;
  let redactor: Redactor | null = null;
  if (request.redact || request.redactKey !== undefined) {
    redactor = new Redactor({ key: redactionKey(original, request.redactKey) });
    ruleset = redactRuleset(original, redactor);
  }
  const kube = redactor === null ? originalView() : buildKubeModel(ruleset);
  const findings = runChecks(ruleset, kube);
  const traces = request.traces.map((dest) =>
    traceSection(dest, { originalKube: originalView, ruleset, kube, redactor }),
  );
  return buildReportDocument({
    ruleset,
    kube,
    findings,
    traces,
    redaction: {
      redacted: redactor !== null,
      keySource: redactor === null ? null : request.redactKey !== undefined ? 'given' : 'dump',
    },
    toolVersion: request.toolVersion,
  });
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .argument('[file]', 'iptables-save output or a listing; - or nothing for standard input')
    .description(
      'write a Markdown (or JSON) report to paste into a bug report: environment, findings with their rules, services, traces',
    )
    .option(
      '--redact',
      'replace addresses and names with consistent pseudonyms (prefixes and subnets survive)',
    )
    .option(
      '--redact-key <key>',
      'key for the pseudonyms (implies --redact); the same key gives the same pseudonyms across dumps',
    )
    .addOption(
      new Option('--format <format>', 'md (Markdown) or json')
        .choices(['md', 'json'])
        .default('md'),
    )
    .option(
      '--trace <dest>',
      'also trace a new flow to DEST (IP:PORT[/proto] or ns/name[:port]); repeatable',
      collect,
      [],
    );
  withInputOptions(cmd, { formatIsOutput: true }).action(
    async (file: string | undefined, opts: ReportOptions) => {
      const redact = opts.redact === true || opts.redactKey !== undefined;
      // Problems quote the input; printed before redaction they would leak what --redact hides
      // (the report lists them redacted).
      const ruleset = await loadRuleset(file, {
        strict: opts.strict,
        format: opts.inputFormat,
        table: opts.table,
        quiet: redact || opts.quiet,
      });
      const doc = buildReport(ruleset, {
        redact,
        redactKey: opts.redactKey,
        traces: opts.trace,
        toolVersion: toolVersion(),
      });
      process.stdout.write(
        opts.format === 'json' ? stringifyInert(doc) + '\n' : renderReportMarkdown(doc),
      );
    },
  );
}
