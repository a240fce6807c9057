import { afterEach, describe, expect, it } from 'vitest';
import {
  fixtureModel,
  KEY,
  lineWith,
  MODERN,
  renderBrowser,
  renderSized,
  selectedLine,
  textModel,
  type BrowserHarness,
  type SizedHarness,
} from './harness.js';

let ui: BrowserHarness | SizedHarness | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

// Comments and a chain name with control characters that survive the input cleaner (which
// already strips whole escape sequences): BEL, backspaces that would overwrite what is shown,
// and a right-to-left override that would reorder it.
const HOSTILE = [
  '*nat',
  ':PREROUTING ACCEPT [0:0]',
  ':KUBE-SERVICES - [0:0]',
  ':KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]',
  ':KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]',
  ':EVIL\u0008\u0008OK - [0:0]',
  '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A PREROUTING -j EVIL\u0008\u0008OK',
  '-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP \u0007" -m tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA',
  '-A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "red\u202egreen" -j KUBE-SEP-BBBBBBBBBBBBBBBB',
  '-A KUBE-SEP-BBBBBBBBBBBBBBBB -p tcp -m tcp -j DNAT --to-destination 10.244.1.5:8080',
  'COMMIT',
  '',
].join('\n');

/** Control characters other than newline, after removing the styling ink itself may add. */
function controls(frame: string): string[] {
  // eslint-disable-next-line no-control-regex
  const withoutStyles = frame.replace(/\u001b\[[0-9;]*m/g, '');
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
  return withoutStyles.match(unsafe) ?? [];
}

describe('browse: text from the dump is inert', () => {
  it('escapes control characters in comments and chain names on every screen', async () => {
    const h = renderBrowser(textModel(HOSTILE));
    ui = h;
    await h.press('c', '/');
    await h.type('prerouting');
    await h.press(KEY.enter, KEY.enter);
    expect(h.frame()).toContain('EVIL\\x08\\x08OK');
    // Follow the jump to the hostile chain.
    await h.press('j', KEY.enter);
    expect(h.frame()).toContain('nat EVIL\\x08\\x08OK');
    await h.press(KEY.escape, KEY.escape, KEY.escape, KEY.escape);
    // The service chain's comment, in the chain view and the raw view.
    await h.press('c', '/');
    await h.type('kube-svc');
    await h.press(KEY.enter, KEY.enter);
    expect(h.frame()).toContain('red\\u202egreen');
    await h.press('r');
    expect(h.frame()).toContain('"red\\u202egreen"');
    // raw → chain → chains (Esc clears its filter first) → services
    await h.press(KEY.escape, KEY.escape, KEY.escape, KEY.escape);
    // Everything behind the service, from the service list.
    await h.press('r');
    expect(h.frame()).toContain('cluster IP \\x07');
    expect(h.frames().length).toBeGreaterThan(10);
    for (const frame of h.frames()) expect(controls(frame)).toEqual([]);
  });
});

describe('browse: terminal size', () => {
  it('re-lays the screen when the terminal is resized', async () => {
    const h = renderSized(fixtureModel(MODERN), 120, 30);
    ui = h;
    const lines = (): string[] => h.frame().split('\n');
    expect(lines().length).toBeLessThanOrEqual(29);
    expect(h.frame()).toContain('default/itp-remote:http');
    await h.press('G');
    expect(selectedLine(h.frame())).toContain('default/itp-remote:http');

    // Smaller: fewer rows shown, the selection still on screen, nothing wider than the terminal.
    await h.resize(60, 10);
    await h.waitFor(() => lines().length <= 9, 'the 10-row layout');
    expect(selectedLine(h.frame())).toContain('default/itp-remote');
    expect(h.frame()).not.toContain('default/kubernetes:https');
    for (const l of lines()) expect([...l].length).toBeLessThanOrEqual(60);

    // Larger again: every service fits.
    await h.resize(120, 40);
    await h.waitFor(() => h.frame().includes('default/kubernetes:https'), 'the 40-row layout');
    expect(lineWith(h.frame(), 'default/web:http')).toContain('30080');
  });
});
