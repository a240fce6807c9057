#!/usr/bin/env node
// Parse speed and memory on a generated kube-proxy dump, side by side with `wc -w` on the same
// file in the same run. Prints figures; never asserts (benchmarks are not tests).
//
//   node bench/parse-bench.mjs [--services 25000] [--endpoints 10] [--file PATH] [--runs 3]
//
// Needs a build (`npm run build`). The dump is generated with bench/gen-dump.mjs unless --file
// names an existing one.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const services = Number(opt('services', '25000'));
const endpoints = Number(opt('endpoints', '10'));
const runs = Number(opt('runs', '3'));
const file = opt('file', `/tmp/k8s-ipt-bench-${services}x${endpoints}.save`);

if (!existsSync(file)) {
  process.stderr.write(`generating ${file} (${services} services x ${endpoints} endpoints)...\n`);
  const out = execFileSync(
    process.execPath,
    [
      path.join(root, 'bench/gen-dump.mjs'),
      '--services',
      String(services),
      '--endpoints',
      String(endpoints),
    ],
    { maxBuffer: 1 << 30 },
  );
  writeFileSync(file, out);
}
const lines = Number(execFileSync('wc', ['-l', file]).toString().trim().split(/\s+/)[0]);
const bytes = statSync(file).size;

function timeCommand(cmd, cmdArgs) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout.toString() };
}

// In-process parse: read + parse into the model, peak RSS from the kernel's accounting.
const probe = `
  const { readFileSync } = await import('node:fs');
  const { readRuleset } = await import(${JSON.stringify(path.join(root, 'dist/parse/read.js'))});
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
  cli.push(timeCommand(process.execPath, [path.join(root, 'bin/k8s-ipt'), 'parse', '-q', file]).ms);
}
const best = (xs) => Math.min(...xs);
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `dump: ${file}: ${lines} lines, ${(bytes / 1e6).toFixed(1)} MB, ${info.rules} rules, ${info.problems} problems`,
);
console.log(`wc -w                         best of ${runs}: ${fmt(best(wc))}`);
console.log(
  `parse into the model          best of ${runs}: ${fmt(best(parse))}  (${(best(parse) / best(wc)).toFixed(1)}x wc -w; peak RSS ${info.maxRssMB.toFixed(0)} MB)`,
);
console.log(`k8s-ipt parse (whole CLI run) best of ${runs}: ${fmt(best(cli))}`);
