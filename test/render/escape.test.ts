import { describe, expect, it } from 'vitest';
import { escapeText } from '../../src/render/escape.js';
import { parseText, runCli } from '../helpers.js';

describe('escaping text from dumps', () => {
  it('makes control characters and bidi overrides inert', () => {
    expect(escapeText('ok')).toBe('ok');
    expect(escapeText('\u001b]0;pwned\u0007x')).toBe('\\e]0;pwned\\x07x');
    expect(escapeText('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd');
    expect(escapeText('\u202eevil')).toBe('\\u202eevil');
    expect(escapeText('\u009b31m')).toBe('\\x9b31m');
  });

  it('a hostile comment cannot reach the terminal through the CLI', () => {
    const dump = `*filter
:INPUT ACCEPT [0:0]
:X\u001b[2J - [0:0]
-A INPUT -m comment --comment "\u001b]0;owned\u0007 \u001b[31mred \u009b2J \u202eevil" -j ACCEPT
COMMIT
`;
    // Colour codes may be stripped as pasted damage (and reported); the rule is still read.
    expect(parseText(dump).ruleCount).toBe(1);
    for (const args of [
      ['parse', '-'],
      ['parse', '--json', '-'],
    ]) {
      const r = runCli(args, dump);
      expect(r.status).toBe(0);
      const out = r.stdout + r.stderr;
      for (const raw of ['\u001b', '\u0007', '\u009b', '\u202e'])
        expect(out.includes(raw)).toBe(false);
    }
  });
});
