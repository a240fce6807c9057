import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readRuleset } from '../src/parse/read.js';
import type { Ruleset } from '../src/model/ruleset.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = path.join(ROOT, 'fixtures');

export function fixturePath(name: string): string {
  return path.join(FIXTURES, name);
}

export function readFixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

export function loadFixture(name: string): Ruleset {
  return readRuleset(readFixture(name), { file: name });
}

export function parseText(text: string, file = 'test.save'): Ruleset {
  return readRuleset(text, { file });
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI (npm test builds first) as a user would. */
export function runCli(args: string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'k8s-ipt'), ...args], {
    input,
    encoding: 'utf8',
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
