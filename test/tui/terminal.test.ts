import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoTerminalError, openTerminal } from '../../src/input/tty.js';
import { fixturePath, readFixture, ROOT } from '../helpers.js';

describe('finding a terminal for keys', () => {
  it('reports a missing terminal device as NoTerminalError', () => {
    expect(() => openTerminal({ stdinIsInput: true, device: '/nonexistent/tty' })).toThrow(
      NoTerminalError,
    );
    expect(() => openTerminal({ stdinIsInput: true, device: '/nonexistent/tty' })).toThrow(
      /cannot open \/nonexistent\/tty \(ENOENT\)/,
    );
  });

  it('refuses a device that is not a terminal', () => {
    expect(() => openTerminal({ stdinIsInput: true, device: '/dev/null' })).toThrow(
      /\/dev\/null is not a terminal/,
    );
  });
});

// `setsid` starts the CLI in a new session, without a controlling terminal, as cron or a CI
// job would: /dev/tty cannot be opened there.
const setsid = spawnSync('setsid', ['--version'], { encoding: 'utf8' });
const hasSetsid = setsid.status === 0;
if (!hasSetsid)
  console.log('skipping the no-terminal CLI tests: setsid (util-linux) is not installed');

function browseWithoutTerminal(args: string[], input?: string) {
  return spawnSync(
    'setsid',
    ['-w', process.execPath, path.join(ROOT, 'bin', 'k8s-ipt'), 'browse', ...args],
    {
      input: input ?? '',
      encoding: 'utf8',
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
}

describe.skipIf(!hasSetsid)('k8s-ipt browse without a terminal', () => {
  it('says so and exits 2 when the dump comes through a pipe', () => {
    const r = browseWithoutTerminal([], readFixture('k8s-1.28-etp-local-calico.save'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^k8s-ipt: browse needs a terminal to take keys from, and there is none/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('says so and exits 2 with a file argument', () => {
    const r = browseWithoutTerminal([fixturePath('k8s-1.28-etp-local-calico.save')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('browse needs a terminal');
  });

  it('reports a missing file as a missing file', () => {
    const r = browseWithoutTerminal(['/nonexistent/dump.save']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot read /nonexistent/dump.save: no such file');
  });
});
