/**
 * The rules behind what was selected, as iptables-save prints them (render/save.ts printRule),
 * each headed by its table, chain, rule number, input line and counters. Long rules wrap.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { ServicePort } from '../../kube/model.js';
import type { Rule } from '../../model/rule.js';
import type { Hint } from '../components/chrome.js';
import { scrollOffset } from '../cursor.js';
import { listMove, type KeyPress } from '../keys.js';
import { rawLineOfRule, rawLines, type RawLine } from '../rule-text.js';
import { bodyHeight, update, type BrowserContext, type Transition } from '../screen.js';
import { toneColor, useTheme } from '../theme.js';

export interface RawScreen {
  readonly kind: 'raw';
  /** Already escaped. */
  readonly title: string;
  readonly rules: readonly Rule[];
  /** The rule to show first once the lines are laid out (0-based). */
  readonly focusRule: number;
  /** First visible line; null until the first key (then the lines of focusRule). */
  readonly offset: number | null;
}

export function rawScreen(title: string, rules: readonly Rule[], focusRule = 0): RawScreen {
  return { kind: 'raw', title, rules, focusRule, offset: null };
}

/** Every rule that makes up a service port, entry rules first, each rule once. */
export function rulesBehindService(service: ServicePort): Rule[] {
  const seen = new Set<Rule>();
  const out: Rule[] = [];
  const add = (rules: Iterable<Rule>): void => {
    for (const r of rules) {
      if (!seen.has(r)) {
        seen.add(r);
        out.push(r);
      }
    }
  };
  add(service.entryRules.map((e) => e.rule));
  add(service.filterRules.map((f) => f.rule));
  const c = service.chains;
  for (const chain of [c.fw, c.ext, c.xlb, c.svc, c.svl]) if (chain !== null) add(chain.rules);
  for (const sep of c.seps) add(sep.rules);
  add(service.markDropRules);
  return out;
}

const lineCache = new WeakMap<readonly Rule[], { width: number; lines: RawLine[] }>();

/** Lines are laid out once per rule list and width (a chain can hold tens of thousands of rules). */
function linesFor(rules: readonly Rule[], width: number): RawLine[] {
  const hit = lineCache.get(rules);
  if (hit !== undefined && hit.width === width) return hit.lines;
  const lines = rawLines(rules, width);
  lineCache.set(rules, { width, lines });
  return lines;
}

function visibleOffset(screen: RawScreen, lines: readonly RawLine[], height: number): number {
  const start = screen.offset ?? rawLineOfRule(lines, screen.focusRule);
  return Math.max(0, Math.min(start, lines.length - height));
}

export function rawKey(screen: RawScreen, key: KeyPress, ctx: BrowserContext): Transition | null {
  const move = listMove(key);
  if (move === null) return null;
  const height = bodyHeight(ctx.size) - 1;
  const lines = linesFor(screen.rules, ctx.size.columns);
  const offset = scrollOffset(visibleOffset(screen, lines, height), move, lines.length, height);
  return update({ ...screen, offset });
}

export function rawCrumb(screen: RawScreen): string {
  return `raw: ${screen.title}`;
}

export function rawHints(): Hint[] {
  return [
    { key: '↑↓/jk', does: 'scroll' },
    { key: 'PgUp/PgDn', does: 'page' },
    { key: 'g/G', does: 'top/end' },
    { key: 'esc', does: 'back' },
    { key: 'q', does: 'quit' },
  ];
}

export function RawView(props: {
  readonly screen: RawScreen;
  readonly ctx: BrowserContext;
}): ReactNode {
  const { screen, ctx } = props;
  const theme = useTheme();
  const height = bodyHeight(ctx.size) - 1;
  const lines = linesFor(screen.rules, ctx.size.columns);
  const offset = visibleOffset(screen, lines, height);
  const shown = lines.slice(offset, offset + height);
  return (
    <Box flexDirection="column">
      <Box height={1}>
        <Text wrap="truncate-end" bold>
          {`${screen.title}: ${screen.rules.length} rules, printed as iptables-save prints them`}
          <Text dimColor>
            {lines.length > height
              ? `  (lines ${offset + 1}-${offset + shown.length} of ${lines.length})`
              : ''}
          </Text>
        </Text>
      </Box>
      <Box flexDirection="column" height={height}>
        {screen.rules.length === 0 ? <Text dimColor>(no rules)</Text> : null}
        {shown.map((line, i) => (
          <Box key={offset + i} height={1}>
            <Text
              wrap="truncate-end"
              bold={line.kind === 'header'}
              color={line.kind === 'header' ? toneColor(theme, 'heading') : undefined}
            >
              {line.text === '' ? ' ' : line.text}
            </Text>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
