import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoTerminalError, openTerminal } from '../../src/input/tty.js';
import { ProgressLine } from '../../src/tui/progress.js';
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

describe('the progress line before the screen starts', () => {
  function fakeStderr(isTTY: boolean) {
    const written: string[] = [];
    const stream = { isTTY, write: (s: string) => written.push(s) > 0 };
    return { stream: stream as unknown as NodeJS.WriteStream, written };
  }

  it('shows the bytes read once reading takes a while, a few times a second, then clears', () => {
    const { stream, written } = fakeStderr(true);
    let now = 0;
    const progress = new ProgressLine(stream, () => now);
    progress.reading('<stdin>', 1_000_000);
    expect(written).toEqual([]); // quick inputs say nothing
    now = 300;
    progress.reading('<stdin>', 12_300_000);
    now = 350;
    progress.reading('<stdin>', 13_000_000); // too soon after the last update
    now = 450;
    progress.reading('<stdin>', 40_000_000);
    progress.step('parsing <stdin> (40.0 MB)…', 40_000_000);
    progress.done();
    expect(written).toEqual([
      '\r\u001b[2Kreading <stdin>: 12.3 MB',
      '\r\u001b[2Kreading <stdin>: 40.0 MB',
      '\r\u001b[2Kparsing <stdin> (40.0 MB)…',
      '\r\u001b[2K',
    ]);
  });

  it('says nothing for a small input or when standard error is not a terminal', () => {
    const small = fakeStderr(true);
    const p1 = new ProgressLine(small.stream, () => 0);
    p1.step('parsing…', 100_000);
    p1.done();
    expect(small.written).toEqual([]);
    const piped = fakeStderr(false);
    let now = 0;
    const p2 = new ProgressLine(piped.stream, () => now);
    now = 1000;
    p2.reading('<stdin>', 50_000_000);
    p2.step('parsing…', 50_000_000);
    p2.done();
    expect(piped.written).toEqual([]);
  });
});

describe('loading the CLI', () => {
  it('does not load React until browse has prepared its environment', () => {
    // React picks its development or production build when first loaded, from NODE_ENV;
    // browse sets NODE_ENV before loading ink. If React were loaded earlier (by a static
    // import reaching it), React and ink's renderer would be different builds and draw nothing.
    const script = [
      "import { createRequire } from 'node:module';",
      "await import('./dist/cli/main.js');",
      "const cache = createRequire(import.meta.url)('node:module')._cache;",
      'console.log(Object.keys(cache).filter((k) => /node_modules[\\\\/]react[\\\\/]/.test(k)).length);',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('0');
  });
});
