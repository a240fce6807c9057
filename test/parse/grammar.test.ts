import { describe, expect, it } from 'vitest';
import { grammarForTests, parseRuleTokens } from '../../src/parse/grammar.js';
import { newTokenBuffer, referenceLexer, tokenizeRule } from '../../src/parse/lexer.js';

function parse(line: string) {
  const buf = newTokenBuffer();
  const errors: { offset: number; message: string }[] = [];
  tokenizeRule(line, 0, line.length, buf, errors);
  return { buf, parsed: parseRuleTokens(buf), lexErrors: errors };
}

describe('rule grammar', () => {
  it('builds with chevrotain optimisations on: every token pattern has first-character hints', () => {
    expect(grammarForTests()).toBeDefined();
    // ensureOptimizations throws if any token class (such as a negated-class pattern) would
    // switch off chevrotain's first-character optimisation.
    expect(() => referenceLexer()).not.toThrow();
  });

  it("the hand-written scanner agrees with chevrotain's lexer on the token classes", () => {
    const lexer = referenceLexer();
    const lines = [
      '[12:720] -A KUBE-SVC-X ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
      '-A KUBE-SEP-Y -p tcp -m comment --comment "a \\"quoted\\" one" -m recent --set --name KUBE-SEP-Y --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination [fd00::1]:8080',
      '-A POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-A X -m nfacct --nfacct-name  localhost_nps_accepted_pkts -j KUBE-EXT-Z',
      '-A X -m statistic --mode random --probability 0.33333333349 -g KUBE-SEP-Z',
      "-A X -j LOG --log-prefix 'single quoted' --log-level -1",
      '-N KUBE-SERVICES',
      '-P FORWARD DROP',
      '-A X -j DNAT [unsupported revision]',
    ];
    for (const line of lines) {
      const { buf } = parse(line);
      const ours = buf.tokens.slice(0, buf.count).map((t) => `${t.tokenType.name}:${t.image}`);
      const result = lexer.tokenize(line);
      expect(result.errors).toEqual([]);
      const theirs = result.tokens.map((t) => `${t.tokenType.name}:${t.image}`);
      expect(ours).toEqual(theirs);
    }
  });

  it('groups options with negation before or after the option', () => {
    const { buf, parsed } = parse('-A X ! -s 10.0.0.0/8 -m mark --mark ! 0x1 -j RETURN');
    expect(parsed.errors).toEqual([]);
    const opts = parsed.elements.filter((e) => e.type === 'option');
    expect(opts).toHaveLength(2);
    expect(opts.every((o) => o.type === 'option' && o.bang !== -1)).toBe(true);
    expect(
      buf.tokens[parsed.elements[0].type === 'command' ? parsed.elements[0].args[0] : 0].image,
    ).toBe('X');
  });

  it('reports a missing module name at the end of the line and recovers', () => {
    const { parsed } = parse('-A X -j ACCEPT -m');
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0].token).toBe(-1);
  });

  it('memoises by token classes: lines of the same shape share one parse', () => {
    const a = parse('-A KUBE-SEP-A -s 10.0.0.1/32 -j KUBE-MARK-MASQ').parsed;
    const b = parse('-A KUBE-SEP-B -s 10.0.0.2/32 -j KUBE-MARK-MASQ').parsed;
    expect(a).toBe(b);
  });

  it('reads quoted words with escapes and reports an unterminated quote', () => {
    const { buf, lexErrors } = parse('-A X -m comment --comment "a \\"b\\" c" -j ACCEPT');
    expect(lexErrors).toEqual([]);
    expect(buf.tokens[5].payload).toBe('a "b" c');
    const bad = parse('-A X -m comment --comment "abc -j ACCEPT');
    expect(bad.lexErrors).toHaveLength(1);
  });
});
