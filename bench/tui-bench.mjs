#!/usr/bin/env node
// Benchmark of `k8s-ipt browse` on a large dump: how long after the end of input the first
// screen appears, and how long each key press takes to answer. Prints figures; asserts nothing.
//
//   npm run build
//   node bench/gen-dump.mjs --services 25000 --endpoints 10 > /tmp/big.save
//   node bench/tui-bench.mjs [/tmp/big.save] [--rows 40] [--columns 120] [--profile TEXT] [--whole]
//
// As `k8s-ipt browse` does, the per-service chains are parsed and the services built after the
// first screen (in small jobs between key presses); --whole reads and builds everything first,
// as `browse --strict` does.
//
// --profile TEXT records a CPU profile of the key presses whose description contains TEXT and
// prints where their time went (functions by self time).
//
// The browser runs through the same runBrowser() the CLI uses, on a fake terminal (an input
// stream the script types into, an output stream that records when frames are written), so
// the figures include React, ink's layout and its frame throttling, but not the terminal
// emulator. Key latency is the time from the key arriving on the input stream to the next
// frame being written.

import { readFileSync, existsSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { args, dist, megabytes, opt, percentile, requireBuild } from './lib.mjs';

const file =
  args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? '/tmp/big.save';
const rows = Number(opt('rows', '40'));
const profileWhat = opt('profile', null);
const columns = Number(opt('columns', '120'));

if (!existsSync(file)) {
  console.error(`no dump at ${file}; make one with:
  node bench/gen-dump.mjs --services 25000 --endpoints 10 > ${file}`);
  process.exit(2);
}
requireBuild('tui/run.js');

// As the browse command does before ink is loaded (see src/cli/commands/browse.ts).
process.env.NODE_ENV ??= 'production';
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
process.env.FORCE_COLOR ??= '2';

const { readRuleset } = await import(dist('parse/read.js'));
const { buildKubeModel } = await import(dist('kube/build.js'));
const { tracePacket } = await import(dist('trace/packet.js'));
const { labelOutcomes } = await import(dist('trace/labels.js'));
const { isPerServicePortChain } = await import(dist('kube/naming.js'));
const { runBrowser, warmUpJobs } = await import(dist('tui/run.js'));

class FakeInput extends EventEmitter {
  isTTY = true;
  isRaw = false;
  #data = null;
  setRawMode(on) {
    this.isRaw = on;
    return this;
  }
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const d = this.#data;
    this.#data = null;
    return d;
  };
  type(text) {
    this.#data = text;
    this.emit('readable');
  }
}

class FakeOutput extends EventEmitter {
  isTTY = true;
  writable = true;
  rows = rows;
  columns = columns;
  bytes = 0;
  /** performance.now() of every write. */
  writes = [];
  waiter = null;
  getColorDepth() {
    return 8;
  }
  write(chunk) {
    this.bytes += chunk.length;
    this.writes.push(performance.now());
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w(performance.now());
    }
    return true;
  }
  /** Resolves with the time of the next write, or null after `ms`. */
  nextWrite(ms = 20000) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, ms);
      this.waiter = (t) => {
        clearTimeout(timer);
        resolve(t);
      };
    });
  }
}

const ms = (a, b) => `${(b - a).toFixed(0)} ms`;

const t0 = performance.now();
const text = readFileSync(file, 'utf8');
const t1 = performance.now();
// As the browse command reads (--whole: everything before the first screen, as --strict does).
const deferred = !args.includes('--whole');
const ruleset = readRuleset(text, {
  file,
  deferRules: deferred ? isPerServicePortChain : undefined,
});
const t2 = performance.now();
const model = buildKubeModel(ruleset, { deferred });
const t3 = performance.now();

const input = new FakeInput();
const output = new FakeOutput();
const terminal = { input, output, inputFromDevTty: false, close() {} };
const trace = (request) => {
  const result = tracePacket(model.ruleset, request);
  labelOutcomes(result, model);
  return result;
};
// The same jobs the browse command gives runBrowser, timed.
const jobMs = [];
const warmUp = warmUpJobs(model).map((job) => () => {
  const start = performance.now();
  job();
  jobMs.push(performance.now() - start);
});
const done = runBrowser({ model, trace, terminal, color: true, warmUp });
// The first write switches to the alternate screen; the second is the first frame.
while (output.writes.length < 2) await new Promise((r) => setTimeout(r, 1));
const t4 = output.writes[1];
// Someone quick types at once, while the warm-up jobs still run: j and k, answered between jobs.
const earlyKeys = [];
for (let i = 0; i < 6 && jobMs.length < warmUp.length; i++) {
  const before = performance.now();
  const next = output.nextWrite();
  input.type(i % 2 === 0 ? 'j' : 'k');
  const at = await next;
  if (at !== null) earlyKeys.push(at - before);
  await new Promise((r) => setTimeout(r, 50));
}
// A person reads the first screen before typing on; the warm-up jobs run meanwhile.
while (jobMs.length < warmUp.length) await new Promise((r) => setTimeout(r, 10));
const t5 = performance.now();
await new Promise((r) => setTimeout(r, 500));

console.log(
  `dump: ${file}, ${megabytes(text.length)}, ${ruleset.ruleCount} rules, ${ruleset.chainCount} chains, ${model.services.length} service ports`,
);
console.log(`terminal: ${columns}x${rows}, node ${process.version}`);
console.log('');
console.log('after the end of input:');
console.log(
  `  parse (readRuleset${deferred ? ', per-service chains deferred' : ''})  ${ms(t1, t2)}`,
);
console.log(`  service view (buildKubeModel${deferred ? ', deferred' : ''}) ${ms(t2, t3)}`);
console.log(`  first frame (ink + screens)  ${ms(t3, t4)}`);
console.log(`  total to first screen        ${ms(t1, t4)}   (budget 3000 ms)`);
console.log(`  (reading the file: ${ms(t0, t1)})`);
console.log(
  `after the first screen, while the user reads it: ${jobMs.length} jobs, ${jobMs
    .reduce((a, b) => a + b, 0)
    .toFixed(0)} ms of work, done ${ms(t4, t5)} after the first frame; longest job ${Math.max(
    ...jobMs,
  ).toFixed(0)} ms`,
);
const slow = jobMs.map((t, i) => [i, t]).filter(([, t]) => t > 50);
console.log(
  `jobs over 50 ms (a key typed during one waits for it): ${slow.map(([i, t]) => `#${i + 1} of ${jobMs.length}: ${t.toFixed(0)} ms`).join(', ') || 'none'}`,
);
console.log(
  `keys typed meanwhile (j/k, key arrives → next frame): ${earlyKeys.map((t) => `${t.toFixed(0)} ms`).join(', ') || 'none (the jobs were done first)'}`,
);
console.log('');

const KEYS = {
  down: '\u001b[B',
  up: '\u001b[A',
  pageDown: '\u001b[6~',
  pageUp: '\u001b[5~',
  enter: '\r',
  escape: '\u001b',
  backspace: '\u007f',
  tab: '\t',
};

/** [what, keys typed]; every key changes the screen, so each one is answered by a frame. */
const script = [
  ['service list: j', 'j'],
  ['service list: PgDn', KEYS.pageDown],
  ['service list: G (last of all)', 'G'],
  ['service list: g', 'g'],
  ['service list: / (filter on)', '/'],
  ['filter: type "s"', 's'],
  ['filter: type "v"', 'v'],
  ['filter: type "c"', 'c'],
  ['filter: type "-"', '-'],
  ['filter: type "2"', '2'],
  ['filter: type "4"', '4'],
  ['filter: type "9"', '9'],
  ['filter: backspace', KEYS.backspace],
  ['filter: enter (done)', KEYS.enter],
  ['open service (Enter)', KEYS.enter],
  ['service: j', 'j'],
  ['service: c (open KUBE-SVC chain)', 'c'],
  ['chain: j', 'j'],
  ['chain: Enter (follow jump to SEP)', KEYS.enter],
  ['chain: Esc (back)', KEYS.escape],
  ['chain: r (raw view)', 'r'],
  ['raw: Esc', KEYS.escape],
  ['chain: Esc', KEYS.escape],
  ['service: t (trace screen)', 't'],
  ['trace: Enter (first trace)', KEYS.enter],
  ['trace: j (next outcome)', 'j'],
  ['trace: tab (back to the form)', KEYS.tab],
  ['trace: Enter (second trace)', KEYS.enter],
  ['trace: Esc', KEYS.escape],
  ['service: Esc', KEYS.escape],
  ['service list: c (every chain)', 'c'],
  ['chains: G', 'G'],
  ['chains: /', '/'],
  ['chains filter: "k"', 'k'],
  ['chains filter: "u"', 'u'],
  ['chains filter: "b"', 'b'],
  ['chains filter: "e"', 'e'],
  ['chains filter: "-"', '-'],
  ['chains filter: "s"', 's'],
  ['chains filter: "e"', 'e'],
  ['chains filter: "r"', 'r'],
  ['chains filter: "v"', 'v'],
  ['chains filter: "i"', 'i'],
  ['chains filter: enter', KEYS.enter],
  ['chains: Enter (open nat KUBE-SERVICES)', KEYS.enter],
  ['chain: G (last rule)', 'G'],
  ['chain: PgUp', KEYS.pageUp],
  ['chain: r (raw view of the whole chain)', 'r'],
  ['raw: G', 'G'],
  ['raw: Esc', KEYS.escape],
  ['chain: Esc', KEYS.escape],
  ['chains: ? (help)', '?'],
  ['help: Esc', KEYS.escape],
];

let inspector = null;
if (profileWhat !== null) {
  const { Session } = await import('node:inspector/promises');
  inspector = new Session();
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
}
const profiles = [];

const results = [];
for (const [what, key] of script) {
  const profiled = inspector !== null && what.includes(profileWhat);
  if (profiled) await inspector.post('Profiler.start');
  const frame = output.nextWrite();
  const start = performance.now();
  input.type(key);
  const end = await frame;
  if (profiled) profiles.push([what, (await inspector.post('Profiler.stop')).profile]);
  results.push([what, end === null ? null : end - start]);
  // Let ink's frame throttle settle so each key is timed alone, as a person types.
  await new Promise((r) => setTimeout(r, 40));
}

console.log('key presses (key arrives → next frame written):');
for (const [what, t] of results) {
  console.log(`  ${what.padEnd(50)} ${t === null ? 'no frame' : `${t.toFixed(1)} ms`}`);
}
const times = results
  .map(([, t]) => t)
  .filter((t) => t !== null)
  .sort((a, b) => a - b);
const pct = (p) => percentile(times, p);
console.log('');
console.log(
  `keys: ${times.length}; median ${pct(0.5).toFixed(1)} ms, p90 ${pct(0.9).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms; over 100 ms: ${times.filter((t) => t > 100).length}`,
);

for (const [what, profile] of profiles) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const where = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    self.set(where, (self.get(where) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  console.log('');
  console.log(`profile of "${what}" (self time):`);
  for (const [where, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`  ${(us / 1000).toFixed(1).padStart(7)} ms  ${where}`);
  }
}
console.log('');

const quit = output.nextWrite();
input.type('q');
await quit;
await done;
console.log(`memory: rss ${megabytes(process.memoryUsage().rss)}`);
