import { describe, expect, it } from 'vitest';
import { readListedOptions } from '../../src/parse/listing-options.js';
import { readRuleset } from '../../src/parse/read.js';

function listed(text: string, target = 'ACCEPT') {
  return readListedOptions(text, 0, text.length, target);
}

/** One row of a `-L -n` listing (iptables 1.8.9 columns) with `rest` as its option text. */
function ruleOf(target: string, rest: string, prot = '0') {
  const text =
    'Chain X (1 references)\n' +
    'target     prot opt source               destination         \n' +
    `${target.padEnd(10)} ${prot.padEnd(4)} --  0.0.0.0/0            0.0.0.0/0            ${rest}\n`;
  const rs = readRuleset(text, { file: 'row.txt', table: 'filter' });
  return { rule: rs.chain('filter', 'X')!.rules[0], problems: rs.problems };
}

describe('listing option text', () => {
  it('finds the end of a comment that contains " */"', () => {
    const out = listed('/* has */ inside and  two spaces */ ctstate NEW');
    expect(out.modules[0].options[0].args).toEqual(['has */ inside and  two spaces']);
    expect(out.modules[1]).toMatchObject({ module: 'conntrack', known: true });
    expect(listed('/*  */').modules[0].options[0].args).toEqual(['']);
  });

  it('reads negations where listings put them', () => {
    expect(listed('! ctstate RELATED,ESTABLISHED,DNAT').modules[0].options[0]).toEqual({
      name: '--ctstate',
      negated: true,
      args: ['RELATED,ESTABLISHED,DNAT'],
    });
    expect(listed('multiport dports  !80,443').modules[0].options[0]).toEqual({
      name: '--dports',
      negated: true,
      args: ['80,443'],
    });
    expect(listed('tcp dpt:!22').modules[0].options[0]).toMatchObject({ negated: true });
    expect(listed('ADDRTYPE match src-type !LOCAL').modules[0].options[0]).toMatchObject({
      name: '--src-type',
      negated: true,
      args: ['LOCAL'],
    });
    expect(
      listed('statistic mode random ! probability 0.25000000000').modules[0].options[1],
    ).toEqual({ name: '--probability', negated: true, args: ['0.25000000000'] });
    expect(
      listed('! recent: CHECK name: X side: dest mask: 255.255.255.255').modules[0].options,
    ).toEqual([
      { name: '--rcheck', negated: true, args: [] },
      { name: '--name', negated: false, args: ['X'] },
      { name: '--rdest', negated: false, args: [] },
      { name: '--mask', negated: false, args: ['255.255.255.255'] },
    ]);
  });

  it('turns every MARK rendering into --set-xmark VALUE/MASK', () => {
    const mark = (t: string) => listed(t, 'MARK').target!.options;
    expect(mark('MARK or 0x4000')).toEqual([
      { name: '--set-xmark', negated: false, args: ['0x4000/0x4000'] },
    ]);
    expect(mark('MARK xor 0x4000')[0].args).toEqual(['0x4000/0x0']);
    expect(mark('MARK set 0x20')[0].args).toEqual(['0x20/0xffffffff']);
    expect(mark('MARK xset 0x10/0xff')[0].args).toEqual(['0x10/0xff']);
    expect(mark('MARK and 0xff')[0].args).toEqual(['0x0/0xffffff00']);
  });

  it('reads LOG in its numeric and named forms alike', () => {
    const numeric = ruleOf('LOG', 'LOG flags 10 level 6 prefix "in: "').rule.target;
    const named = ruleOf('LOG', 'LOG level info tcp-options uid prefix "in: "').rule.target;
    expect(numeric).toEqual(named);
    expect(numeric).toMatchObject({ kind: 'log', prefix: 'in: ' });
    expect(ruleOf('LOG', 'LOG flags 0 level 4').rule.target).toEqual(
      ruleOf('LOG', 'LOG level warn').rule.target,
    );
  });

  it('keeps text it cannot translate, marks the rule, and says so once per module', () => {
    const { rule, problems } = ruleOf(
      'ACCEPT',
      'hashlimit: up to 10/sec burst 5 mode srcip tcp dpt:80',
      '6',
    );
    expect(rule.matches[0]).toMatchObject({
      kind: 'generic',
      module: 'hashlimit',
      options: [{ name: '', args: ['up', 'to', '10/sec', 'burst', '5', 'mode', 'srcip'] }],
    });
    expect(rule.matches[1]).toMatchObject({ kind: 'ports', destinationPort: { text: '80' } });
    expect(rule.unknowns).toContain('match-details');
    expect(problems.filter((p) => p.code === 'format-guess' && p.line === 3)).toHaveLength(1);

    const odd = ruleOf('DNAT', 'to:10.0.0.1:80 frobnicate', '6').rule;
    expect(odd.target).toMatchObject({ kind: 'dnat', destinations: [{ text: '10.0.0.1:80' }] });
    expect(odd.unknowns).toContain('target-options');
    const unknownTarget = ruleOf('TCPMSS', 'TCPMSS clamp to PMTU', '6').rule;
    expect(unknownTarget.target).toMatchObject({
      kind: 'generic',
      name: 'TCPMSS',
      unparsed: 'TCPMSS clamp to PMTU',
    });
  });

  it('reads two conntrack modules in a row as one (listings print them the same way)', () => {
    // -m conntrack --ctstate RELATED,ESTABLISHED -m conntrack --ctstatus CONFIRMED
    const out = listed('ctstate RELATED,ESTABLISHED ctstatus CONFIRMED');
    expect(out.modules).toHaveLength(1);
    // A repeated option can only be a second module.
    expect(listed('ctstate NEW ctstate INVALID').modules).toHaveLength(2);
  });
});
