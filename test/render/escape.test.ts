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
-A INPUT -m comment --comment "\u001b]0;owned\u0007 \u001b[31mred" -j ACCEPT
COMMIT
`;
    expect(parseText(dump).problems).toEqual([]);
    for (const args of [
      ['parse', '-'],
      ['parse', '--json', '-'],
    ]) {
      const r = runCli(args, dump);
      expect(r.status).toBe(0);
      expect((r.stdout + r.stderr).includes('\u001b')).toBe(false);
    }
  });
});
