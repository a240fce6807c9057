import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/cli/commands/report.js';
import { htmlText, mdCode, mdFence, mdText } from '../../src/render/markdown.js';
import { renderReportMarkdown } from '../../src/render/markdown-report.js';
import { parseText, readFixture } from '../helpers.js';

/** Markdown split into what renders as markup and what sits inside fenced code blocks. */
function splitFences(md: string): { outside: string[]; inside: string[] } {
  const outside: string[] = [];
  const inside: string[] = [];
  let fence: string | null = null;
  for (const line of md.split('\n')) {
    const m = /^(`{3,}|~{3,})/.exec(line);
    if (fence === null) {
      if (m !== null) fence = m[1];
      else outside.push(line);
    } else if (
      m !== null &&
      m[1][0] === fence[0] &&
      m[1].length >= fence.length &&
      line.trim() === m[1]
    ) {
      fence = null;
    } else {
      inside.push(line);
    }
  }
  expect(fence).toBeNull();
  return { outside, inside };
}

const HOSTILE =
  '</details> <img src=x onerror=alert(1)> ```` @admin [x](javascript:alert(1)) <script>1</script> | *b* \u001b[31m';

describe('the Markdown report is inert whatever the dump says', () => {
  // A hand-made rule with a hostile comment, twice (so a finding shows the rules).
  const rule = `-A DOCKER-USER -s 10.1.2.3/32 -m comment --comment "${HOSTILE.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}" -j DROP`;
  const raw = readFixture('k8s-1.28-etp-local-docker.save').replace(
    '-A DOCKER-USER -j RETURN',
    `${rule}\n${rule}\n-A DOCKER-USER -j RETURN`,
  );
  const ruleset = parseText(raw, 'node.save');
  const md = renderReportMarkdown(
    buildReport(ruleset, { redact: false, traces: [], toolVersion: '1' }),
  );
  const { outside, inside } = splitFences(md);
  const text = outside.join('\n');

  it('the finding and its rules are there, the rules inside a fence', () => {
    expect(text).toContain('rule-duplicate');
    expect(inside.some((l) => l.includes('<img src=x onerror=alert(1)>'))).toBe(true);
  });

  it('nothing outside code blocks becomes HTML, a link, a mention or a control sequence', () => {
    expect(text).not.toMatch(/<img|<script|]\(javascript/i);
    expect(text).not.toContain('@admin');
    expect(md).not.toContain('\u001b');
    const opened = outside.filter((l) => l.startsWith('<details>')).length;
    const closed = outside.filter((l) => l === '</details>').length;
    expect(opened).toBeGreaterThan(0);
    expect(closed).toBe(opened);
    expect(outside.filter((l) => l.includes('</details>') && l !== '</details>')).toEqual([]);
  });
});

describe('markdown helpers', () => {
  it('mdText escapes markup and breaks mentions and autolinks', () => {
    expect(mdText('*a* _b_ <i> [c](d) `e` | #f')).toBe(
      '\\*a\\* \\_b\\_ \\<i\\> \\[c\\](d) \\`e\\` \\| \\#f',
    );
    expect(mdText('see https://x.example and www.x.example')).toBe(
      'see https\\:/\\/x.example and www\\.x.example',
    );
    expect(mdText('@team')).toBe('@\u200bteam');
    expect(mdText('1. not a list')).toBe('1\\. not a list');
    expect(mdText('10.96.0.10 is fine')).toBe('10.96.0.10 is fine');
  });

  it('mdCode fences around backticks and escapes pipes for tables', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('a|b')).toBe('`a\\|b`');
  });

  it('mdFence uses a fence longer than any backtick run', () => {
    expect(mdFence(['x ```` y'])).toBe('`````\nx ```` y\n`````');
    expect(mdFence(['plain'])).toBe('```\nplain\n```');
  });

  it('htmlText uses entities', () => {
    expect(htmlText('<b>&"@x')).toBe('&lt;b&gt;&amp;&quot;&#64;\u200bx');
  });
});
