// What the bench scripts share: their command line, the dump they run on, the build they load
// and the way they print figures. Kept here so that every script reads the same options the same
// way and makes the same dump for the same --services/--endpoints.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const args = process.argv.slice(2);
/** The `k8s-ipt` executable of this checkout, to time whole CLI runs. */
export const k8sIpt = path.join(root, 'bin/k8s-ipt');

/** The word after `--name`, or `dflt` when the option is absent. */
export function opt(name, dflt) {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
}

/** Absolute path of a compiled module, as `import()` and the probe processes load it. */
export function dist(module) {
  return path.join(root, 'dist', module);
}

/** Exits with a hint when there is no build: the scripts load the compiled modules. */
export function requireBuild(module) {
  if (!existsSync(dist(module))) {
    console.error('dist/ is missing: run npm run build first');
    process.exit(2);
  }
}

/**
 * The dump named by --file (default /tmp/k8s-ipt-bench-SERVICESxENDPOINTS.save), written by
 * bench/gen-dump.mjs first when it does not exist, so a bare run needs no preparation.
 */
export function benchDump() {
  const services = Number(opt('services', '25000'));
  const endpoints = Number(opt('endpoints', '10'));
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
  return file;
}

/** Lines (as `wc -l` counts them) and bytes of a dump, for the heading of a report. */
export function dumpSize(file) {
  const lines = Number(execFileSync('wc', ['-l', file]).toString().trim().split(/\s+/)[0]);
  return { lines, bytes: statSync(file).size };
}

/** Milliseconds since `t0`, a process.hrtime.bigint() reading. */
export function msSince(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** The value at fraction `p` of the way through `xs` in ascending order (0.5: the median). */
export function percentile(xs, p) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export const median = (xs) => percentile(xs, 0.5);
export const best = (xs) => Math.min(...xs);
export const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
export const megabytes = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
