#!/usr/bin/env node
// Parse speed and memory on a generated kube-proxy dump, side by side with `wc -w` on the same
// file in the same run. Prints figures; never asserts (benchmarks are not tests).
//
//   node bench/parse-bench.mjs [--services 25000] [--endpoints 10] [--file PATH] [--runs 3]
//
// Needs a build (`npm run build`). The dump is generated with bench/gen-dump.mjs unless --file
// names an existing one.
import { spawnSync } from 'node:child_process';
import {
  benchDump,
  best,
  dist,
  dumpSize,
  k8sIpt,
  megabytes,
  msSince,
  opt,
  seconds,
} from './lib.mjs';

const runs = Number(opt('runs', '3'));
const file = benchDump();
const { lines, bytes } = dumpSize(file);

function timeCommand(cmd, cmdArgs) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const ms = msSince(t0);
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout.toString() };
}

// In-process parse: read + parse into the model, peak RSS from the kernel's accounting.
const probe = `
  const { readFileSync } = await import('node:fs');
  const { readRuleset } = await import(${JSON.stringify(dist('parse/read.js'))});
  const t0 = performance.now();
  const text = readFileSync(${JSON.stringify(file)}, 'utf8');
  const rs = readRuleset(text, { file: 'bench' });
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, rules: rs.ruleCount, problems: rs.problems.length,
    maxRssMB: process.resourceUsage().maxRSS / 1024 }));
`;

const wc = [];
const parse = [];
const cli = [];
let info = null;
for (let i = 0; i < runs; i++) {
  wc.push(timeCommand('wc', ['-w', file]).ms);
  const r = timeCommand(process.execPath, ['--input-type=module', '-e', probe]);
  info = JSON.parse(r.stdout);
  parse.push(info.ms);
  cli.push(timeCommand(process.execPath, [k8sIpt, 'parse', '-q', file]).ms);
}
console.log(
  `dump: ${file}: ${lines} lines, ${megabytes(bytes)}, ${info.rules} rules, ${info.problems} problems`,
);
console.log(`wc -w                         best of ${runs}: ${seconds(best(wc))}`);
console.log(
  `parse into the model          best of ${runs}: ${seconds(best(parse))}  (${(best(parse) / best(wc)).toFixed(1)}x wc -w; peak RSS ${info.maxRssMB.toFixed(0)} MB)`,
);
console.log(`k8s-ipt parse (whole CLI run) best of ${runs}: ${seconds(best(cli))}`);
