#!/usr/bin/env node
// Trace speed on a generated kube-proxy dump: the one-time preparation (indexes, inferred node
// facts), then single trace queries to many services (ClusterIP from a pod and from the node,
// NodePort from outside), and the CLI end to end against `k8s-ipt parse` on the same file.
// Prints figures; never asserts (benchmarks are not tests).
//
//   node bench/trace-bench.mjs [--services 25000] [--endpoints 10] [--file PATH] [--queries 300]
//
// Needs a build (`npm run build`). The dump is generated with bench/gen-dump.mjs unless --file
// names an existing one.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { benchDump, dist, k8sIpt, median, msSince, opt, percentile } from './lib.mjs';

const queries = Number(opt('queries', '300'));
const file = benchDump();

const { readRuleset } = await import(dist('parse/read.js'));
const { prepareTrace, traceFlow } = await import(dist('trace/index.js'));

const fmt = (x) => x.toFixed(3);

let t0 = process.hrtime.bigint();
const text = readFileSync(file, 'utf8');
const ruleset = readRuleset(text, { file });
const parseMs = msSince(t0);

t0 = process.hrtime.bigint();
prepareTrace(ruleset);
const prepareMs = msSince(t0);

// Destinations straight from the dump: ClusterIP tuples of nat KUBE-SERVICES, NodePorts.
const clusterIps = [];
const nodePorts = [];
for (const rule of ruleset.chain('nat', 'KUBE-SERVICES')?.rules ?? []) {
  const port = rule.matches.find((m) => m.kind === 'ports')?.destinationPort?.range?.from;
  const dest = rule.destination?.text.replace(/\/32$/, '');
  const proto = rule.protocol?.name;
  if (port !== undefined && dest !== undefined && (proto === 'tcp' || proto === 'udp'))
    clusterIps.push({ dest, port, proto });
}
for (const rule of ruleset.chain('nat', 'KUBE-NODEPORTS')?.rules ?? []) {
  const port = rule.matches.find((m) => m.kind === 'ports')?.destinationPort?.range?.from;
  const proto = rule.protocol?.name;
  if (port !== undefined && (proto === 'tcp' || proto === 'udp')) nodePorts.push({ port, proto });
}

function pick(list, i) {
  // A spread over the whole chain, including its far end.
  return list[Math.floor(((i * 7919) % queries) * (list.length / queries)) % list.length];
}

const packet = (origin, source, dest, port, proto) => ({
  family: 'ipv4',
  protocol: proto,
  origin,
  source,
  sourcePort: 43210,
  destination: dest,
  destinationPort: port,
  inInterface: origin === 'pod' ? 'cni0' : origin === 'external' ? 'eth0' : null,
  outInterface: null,
  mark: 0,
});

const options = { nodeAddresses: ['192.168.1.11'] };
function timeQueries(label, make) {
  const times = [];
  let outcomes = 0;
  for (let i = 0; i < queries; i++) {
    const p = make(i);
    const t = process.hrtime.bigint();
    const r = traceFlow(ruleset, p, options);
    times.push(msSince(t));
    outcomes += r.outcomes.length;
  }
  times.sort((a, b) => a - b);
  const q = (f) => percentile(times, f);
  console.log(
    `${label.padEnd(34)} ${String(queries).padStart(5)} queries  median ${fmt(q(0.5))} ms  p95 ${fmt(q(0.95))} ms  max ${fmt(times[times.length - 1])} ms  (${(outcomes / queries).toFixed(1)} outcomes/query)`,
  );
}

console.log(`dump: ${file}: ${ruleset.ruleCount} rules, ${ruleset.chainCount} chains`);
console.log(`parse (read + model)              ${fmt(parseMs)} ms`);
console.log(
  `prepare (indexes, node facts)     ${fmt(prepareMs)} ms  (${((prepareMs / parseMs) * 100).toFixed(1)}% of parse)`,
);
timeQueries('ClusterIP from a pod', (i) => {
  const c = pick(clusterIps, i);
  return packet('pod', '10.244.1.250', c.dest, c.port, c.proto);
});
timeQueries('ClusterIP from the node', (i) => {
  const c = pick(clusterIps, i);
  return packet('node', '192.168.1.11', c.dest, c.port, c.proto);
});
if (nodePorts.length > 0)
  timeQueries('NodePort from outside', (i) => {
    const n = pick(nodePorts, i);
    return packet('external', '198.51.100.10', '192.168.1.11', n.port, n.proto);
  });
timeQueries('no such service (falls through)', () =>
  packet('pod', '10.244.1.250', '10.255.255.1', 9, 'tcp'),
);

// End to end, as a user runs it: parse vs trace on the same file. Wall time, and the CPU time
// the process reports at exit (steadier when the machine is shared with other work).
const CPU_AT_EXIT =
  'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write("CPU "+((u.user+u.system)/1000)+"\\n")})';
function timeCli(cliArgs) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', CPU_AT_EXIT, k8sIpt, ...cliArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 30,
  });
  const wall = msSince(t);
  if (r.status !== 0) throw new Error(`k8s-ipt ${cliArgs.join(' ')} failed: ${r.stderr}`);
  const cpu = Number(/CPU ([\d.]+)/.exec(r.stderr.toString())?.[1] ?? NaN);
  return { wall, cpu };
}
const target = pick(clusterIps, Math.floor(queries / 2));
// Alternate the two commands and take medians: the machine may be busy with other work.
const runs = Number(opt('cli-runs', '3'));
const parseRuns = [];
const traceRuns = [];
for (let i = 0; i < runs; i++) {
  parseRuns.push(timeCli(['parse', '-q', file]));
  traceRuns.push(
    timeCli(['trace', '-q', `${target.dest}:${target.port}`, '--proto', target.proto, file]),
  );
}
for (const key of ['wall', 'cpu']) {
  const p = median(parseRuns.map((x) => x[key]));
  const t = median(traceRuns.map((x) => x[key]));
  console.log(
    `CLI end to end, ${key.padEnd(4)} (median of ${runs}): parse ${fmt(p)} ms, trace ${fmt(t)} ms (${((t / p - 1) * 100).toFixed(1)}% over parse)`,
  );
}
