/**
 * End to end: the built CLI in a real terminal (tmux), driven one key at a time, as a person
 * would — with a file argument and with the dump piped in (keys then come from /dev/tty).
 * Skips, saying why, when tmux is not installed (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, ROOT } from '../helpers.js';

const FIXTURE = fixturePath('k8s-1.28-etp-local-calico.counters.save');
const hasTmux = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
if (!hasTmux) {
  console.log(
    'skipping the tmux end-to-end tests of k8s-ipt browse: tmux is not installed (.ci/run installs it)',
  );
}

// A server of our own, so nothing of the user's tmux is touched, and all of it ends in afterAll.
const SOCKET = `k8s-ipt-browse-test-${process.pid}`;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Pane {
  constructor(readonly name: string) {}

  /**
   * Runs `command` in a 120×40 terminal; when it ends, prints its exit status and whether the
   * terminal settings (raw mode, echo) are back as they were, then stays open to be read.
   */
  static start(name: string, command: string): Pane {
    // As a person runs it: no NODE_ENV or FORCE_COLOR from the test runner (CI is left as it is:
    // browse must work there too).
    const script =
      `cd ${quote(ROOT)}; unset NODE_ENV FORCE_COLOR; before=$(stty -g); ${command}; code=$?; ` +
      `[ "$before" = "$(stty -g)" ] && tty=restored || tty=changed; ` +
      `echo "EXIT=$code TTY=$tty"; sleep 600`;
    tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', `sh -c ${quote(script)}`);
    return new Pane(name);
  }

  screen(escapes = false): string {
    return tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', this.name);
  }

  /** One key per send-keys: a name (Enter, Escape, BSpace, Down) or one literal character. */
  key(key: string): void {
    if (key.length === 1) tmux('send-keys', '-t', this.name, '-l', key);
    else tmux('send-keys', '-t', this.name, key);
  }

  /** Polls the screen, a bounded number of times, until `done` holds; fails showing the screen. */
  async waitFor(done: (screen: string) => boolean, what: string): Promise<string> {
    let screen = '';
    for (let i = 0; i < 150; i++) {
      screen = this.screen();
      if (done(screen)) return screen;
      await sleep(100);
    }
    throw new Error(`waited for ${what}; the screen shows:\n${screen}`);
  }

  async waitForText(text: string): Promise<string> {
    return this.waitFor((s) => s.includes(text), JSON.stringify(text));
  }

  /** Sends a key, then waits for what it should bring. */
  async press(key: string, expected: string | ((screen: string) => boolean)): Promise<string> {
    this.key(key);
    return typeof expected === 'string'
      ? this.waitForText(expected)
      : this.waitFor(expected, `the answer to ${key}`);
  }
}

const selected = (screen: string): string =>
  screen.split('\n').find((l) => l.startsWith('›')) ?? '';
const count = (screen: string, re: RegExp): number =>
  screen.split('\n').filter((l) => re.test(l)).length;

describe.skipIf(!hasTmux)('k8s-ipt browse in a terminal (tmux)', () => {
  beforeAll(() => {
    const built = spawnSync('test', ['-f', `${ROOT}/dist/cli/main.js`]);
    if (built.status !== 0) throw new Error('dist/ is missing: run npm run build (npm test does)');
  });
  afterAll(() => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  });

  it('with a file: service, endpoints at 33.3%, KUBE-SVC → KUBE-SEP and back, a trace, q', async () => {
    const pane = Pane.start('file', `node bin/k8s-ipt browse ${quote(FIXTURE)}`);
    try {
      await pane.waitForText('14 service ports');
      await pane.press('/', '/▏');
      for (const c of 'web') pane.key(c);
      await pane.waitForText('1 of 14 service ports');
      await pane.press('Enter', 'filter: web');
      expect(selected(pane.screen())).toContain('default/web:http');

      let screen = await pane.press('Enter', (s) => count(s, /33\.3%/) === 3);
      expect(screen).toMatch(/cluster IP\s+10\.96\.0\.10:80/);
      expect(count(screen, /^\s+10\.244\.\d+\.\d+:8080\s+████········\s+33\.3%/)).toBe(3);

      await pane.press('c', 'nat KUBE-SVC-CDGGSHYLG3RE2FKL · 4 rules');
      await pane.press('j', (s) => selected(s).includes('KUBE-SEP-AFGSLHOD2HFNCBX4'));
      screen = await pane.press('Enter', 'nat KUBE-SEP-AFGSLHOD2HFNCBX4 · 2 rules');
      expect(screen).toContain('› KUBE-SEP-AFGSLHOD2HFNCBX4');
      await pane.press('Escape', 'nat KUBE-SVC-CDGGSHYLG3RE2FKL · 4 rules');
      await pane.press('Escape', 'cluster IP');

      await pane.press('t', '10.96.0.10:80▏');
      screen = await pane.press('Enter', '3 outcomes for');
      expect(count(screen, /33\.3%\s+DNAT/)).toBe(3);

      screen = await pane.press('q', 'EXIT=');
      expect(screen).toContain('EXIT=0 TTY=restored');
      // The alternate screen is gone: the shell's screen is back as it was.
      expect(screen).not.toContain('service ports');
    } finally {
      tmux('kill-session', '-t', pane.name);
    }
  });

  it('with the dump piped in: reads it to its end, then takes keys from the terminal', async () => {
    const pane = Pane.start('pipe', `cat ${quote(FIXTURE)} | node bin/k8s-ipt browse`);
    try {
      const first = await pane.waitForText('14 service ports');
      expect(first).toContain('k8s-ipt <stdin>');
      for (let i = 0; i < 4; i++) pane.key('j');
      await pane.waitFor(
        (s) => selected(s).includes('default/web:http'),
        'default/web:http selected',
      );
      await pane.press('Enter', (s) => count(s, /33\.3%/) === 3);
      await pane.press('c', 'nat KUBE-SVC-CDGGSHYLG3RE2FKL');
      await pane.press('BSpace', 'cluster IP');
      const screen = await pane.press('q', 'EXIT=');
      expect(screen).toContain('EXIT=0 TTY=restored');
    } finally {
      tmux('kill-session', '-t', pane.name);
    }
  });

  it('draws on the terminal when standard output is redirected, and re-lays on resize', async () => {
    const pane = Pane.start('resize', `node bin/k8s-ipt browse ${quote(FIXTURE)} > /dev/null`);
    try {
      let screen = await pane.waitForText('14 service ports');
      expect(screen).toMatch(/default\/web:http\s+NodePort\s+10\.96\.0\.10\s+80\/tcp\s+30080/);
      pane.key('G');
      await pane.waitFor((s) => selected(s).includes('default/itp-remote:http'), 'the last row');
      tmux('resize-window', '-t', pane.name, '-x', '60', '-y', '12');
      // Narrower: the NodePort and port columns give way to the name; fewer rows, the
      // selection still on screen.
      screen = await pane.waitFor(
        (s) => !s.includes('NODEPORT') && selected(s).includes('default/itp-remote'),
        'the 60x12 layout',
      );
      expect(screen).not.toContain('default/kubernetes:https');
      tmux('resize-window', '-t', pane.name, '-x', '120', '-y', '40');
      await pane.waitFor(
        (s) => s.includes('NODEPORT') && s.includes('default/kubernetes:https'),
        'the 120x40 layout',
      );
      screen = await pane.press('q', 'EXIT=');
      expect(screen).toContain('EXIT=0 TTY=restored');
    } finally {
      tmux('kill-session', '-t', pane.name);
    }
  });

  it('adds no colour under NO_COLOR, and colour without it', async () => {
    // eslint-disable-next-line no-control-regex
    const colour = /\u001b\[[0-9;]*(3[0-7]|9[0-7]|38;5;\d+)m/;
    const plain = Pane.start('nocolor', `NO_COLOR=1 node bin/k8s-ipt browse ${quote(FIXTURE)}`);
    const coloured = Pane.start(
      'color',
      `env -u NO_COLOR node bin/k8s-ipt browse ${quote(FIXTURE)}`,
    );
    try {
      await plain.waitForText('14 service ports');
      await coloured.waitForText('14 service ports');
      const plainScreen = plain.screen(true);
      expect(plainScreen).not.toMatch(colour);
      // The selection is still marked, by the › and by inverse video.
      expect(plainScreen).toContain('›');
      expect(coloured.screen(true)).toMatch(colour);
      plain.key('q');
      coloured.key('q');
      await plain.waitForText('EXIT=0');
      await coloured.waitForText('EXIT=0');
    } finally {
      tmux('kill-session', '-t', plain.name);
      tmux('kill-session', '-t', coloured.name);
    }
  });

  it('reports a bad rule in a per-service chain, read after the first screen, when it ends', async () => {
    // KUBE-SEP chains are parsed after the first screen is up; their problems must still reach
    // the user, and --strict must see them before the screen opens.
    const dir = mkdtempSync(path.join(tmpdir(), 'k8s-ipt-browse-'));
    const bad = path.join(dir, 'bad.save');
    const lines = readFileSync(FIXTURE, 'utf8').split('\n');
    const at = lines.findIndex(
      (l) => l.includes('-A KUBE-SEP-46Q2CRL6GGEXNQ7E') && l.includes('DNAT'),
    );
    lines[at] = lines[at].replace('-m tcp -j DNAT', '-m tcp --dport 80x -j DNAT');
    writeFileSync(bad, lines.join('\n'));
    const problem = `bad.save:${at + 1}:108: error: -m tcp: invalid port "80x"`;
    const pane = Pane.start(
      'late',
      `cd ${quote(dir)} && node ${quote(ROOT)}/bin/k8s-ipt browse bad.save`,
    );
    const strict = Pane.start(
      'strict',
      `cd ${quote(dir)} && node ${quote(ROOT)}/bin/k8s-ipt browse --strict bad.save`,
    );
    try {
      await pane.waitForText('14 service ports');
      const screen = await pane.press('q', 'EXIT=');
      expect(screen).toContain(problem);
      expect(screen).toContain('EXIT=0 TTY=restored');
      const refused = await strict.waitForText('EXIT=');
      expect(refused).toContain(problem);
      expect(refused).toContain('EXIT=3 TTY=restored');
    } finally {
      tmux('kill-session', '-t', pane.name);
      tmux('kill-session', '-t', strict.name);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
