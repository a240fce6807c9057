#!/usr/bin/env node
// Parse and Kubernetes-model build on a generated kube-proxy dump: CPU time, wall time, GC time
// and peak RSS of each stage, plus `k8s-ipt services` end to end, beside `wc -w` on the same
// file. Prints figures; never asserts (benchmarks are not tests).
//
//   node bench/kube-bench.mjs [--services 25000] [--endpoints 10] [--file PATH] [--runs 3]
//                             [--no-cli]
//
// Each run is a fresh process. CPU time is the figure to compare on a busy machine: `cpu` is the
// whole process (user + system, process.cpuUsage: main thread, GC helper threads and the JIT's
// background compiles); `main` is the main thread alone (Linux: /proc/self/task/PID/stat, 10 ms
// ticks), which varies less from run to run. Wall time is shown beside them. Needs a build
// (`npm run build`).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import {
  args,
  benchDump,
  best,
  dist,
  dumpSize,
  k8sIpt,
  median,
  megabytes,
  msSince,
  opt,
  seconds,
} from './lib.mjs';

const runs = Number(opt('runs', '3'));
const file = benchDump();
const withCli = !args.includes('--no-cli');
const { lines, bytes } = dumpSize(file);

// One fresh process per run: read, parse into the model, build the Kubernetes view.
const probe = `
  const { readFileSync } = await import('node:fs');
  const { PerformanceObserver } = await import('node:perf_hooks');
  const { readRuleset } = await import(${JSON.stringify(dist('parse/read.js'))});
  const { buildKubeModel } = await import(${JSON.stringify(dist('kube/build.js'))});
  // GC pauses, attributed to the stage during which they started (entries arrive later).
  const pauses = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push([e.startTime, e.duration]);
  });
  obs.observe({ entryTypes: ['gc'] });
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const statPath = '/proc/self/task/' + process.pid + '/stat';
  const main = () => {
    try {
      const f = readFileSync(statPath, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      return NaN;
    }
  };
  const stage = (fn) => {
    const c0 = cpu(), m0 = main(), t0 = performance.now();
    const value = fn();
    const t1 = performance.now();
    return { value, t0, t1, wall: t1 - t0, cpu: cpu() - c0, main: main() - m0 };
  };
  const read = stage(() => readFileSync(${JSON.stringify(file)}, 'utf8'));
  const parse = stage(() => readRuleset(read.value, { file: 'bench' }));
  const rssAfterParse = process.memoryUsage().rss;
  const kube = stage(() => buildKubeModel(parse.value));
  await new Promise((r) => setTimeout(r, 100));
  obs.disconnect();
  const gcAt = (s) => pauses.filter(([t]) => t >= s.t0 && t < s.t1).reduce((a, [, d]) => a + d, 0);
  const rs = parse.value;
  process.stdout.write(JSON.stringify({
    read: { wall: read.wall, cpu: read.cpu },
    parse: { wall: parse.wall, cpu: parse.cpu, main: parse.main, gc: gcAt(parse) },
    kube: { wall: kube.wall, cpu: kube.cpu, main: kube.main, gc: gcAt(kube) },
    rules: rs.ruleCount, problems: rs.problems.length, services: kube.value.services.length,
    rssAfterParseMB: rssAfterParse / 1048576,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }));
`;

/** Runs a command under /usr/bin/time when it exists: wall, CPU (user + sys) and peak RSS. */
function timeCommand(cmd, cmdArgs) {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const t0 = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', 'TIME %U %S %M', cmd, ...cmdArgs], {
        stdio: ['ignore', 'ignore', 'pipe'],
        maxBuffer: 1 << 30,
      })
    : spawnSync(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const wall = msSince(t0);
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const m = /TIME (\S+) (\S+) (\d+)/.exec(r.stderr.toString());
  return m === null
    ? { wall, cpu: null, rssMB: null }
    : { wall, cpu: (Number(m[1]) + Number(m[2])) * 1000, rssMB: Number(m[3]) / 1024 };
}

const wc = [];
const probes = [];
const cli = [];
for (let i = 0; i < runs; i++) {
  wc.push(timeCommand('wc', ['-w', file]));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error('probe failed');
  probes.push(JSON.parse(r.stdout.toString()));
  if (withCli) {
    cli.push(timeCommand(process.execPath, [k8sIpt, 'services', '-q', file]));
  }
}

const row = (label, xs) =>
  `${label.padEnd(24)} best ${seconds(best(xs))}  median ${seconds(median(xs))}`;
const info = probes[0];
const wcCpu = best(wc.map((w) => w.cpu ?? w.wall));
const parseCpu = best(probes.map((p) => p.parse.cpu));
const haveMain = probes.every((p) => !Number.isNaN(p.parse.main));
const rows = [
  ['wc -w          cpu', wc.map((w) => w.cpu ?? w.wall)],
  ['               wall', wc.map((w) => w.wall)],
  ['read file      cpu', probes.map((p) => p.read.cpu)],
];
for (const [stage, label] of [
  ['parse', 'parse'],
  ['kube', 'buildKubeModel'],
]) {
  rows.push([`${label.padEnd(15)}cpu`, probes.map((p) => p[stage].cpu)]);
  if (haveMain) rows.push(['               main', probes.map((p) => p[stage].main)]);
  rows.push(['               wall', probes.map((p) => p[stage].wall)]);
  rows.push(['               gc', probes.map((p) => p[stage].gc)]);
}
console.log(
  `dump: ${file}: ${lines} lines, ${megabytes(bytes)}, ${info.rules} rules, ` +
    `${info.problems} problems, ${info.services} service ports; ${runs} runs`,
);
for (const [label, xs] of rows) {
  const note = label.startsWith('parse') ? `  (${(parseCpu / wcCpu).toFixed(1)}x wc -w cpu)` : '';
  console.log(row(label, xs) + note);
}
console.log(
  `peak RSS (read + parse + kube model): ${best(probes.map((p) => p.maxRssMB)).toFixed(0)} MB ` +
    `(after parse: ${best(probes.map((p) => p.rssAfterParseMB)).toFixed(0)} MB)`,
);
if (cli.length > 0) {
  const cliCpu = cli.map((c) => c.cpu);
  const cliWall = cli.map((c) => c.wall);
  if (cli[0].cpu !== null) console.log(row('k8s-ipt services cpu', cliCpu));
  console.log(row('               wall', cliWall));
  if (cli[0].rssMB !== null) {
    console.log(`k8s-ipt services peak RSS: ${best(cli.map((c) => c.rssMB)).toFixed(0)} MB`);
  }
}
