/**
 * One chain's rules with their counters. Enter on a rule that jumps opens the target chain (the
 * stack of opened chains is the breadcrumb path; Esc or Backspace goes back one step).
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { chainRole } from '../../kube/model.js';
import type { Rule } from '../../model/rule.js';
import type { Chain } from '../../model/ruleset.js';
import { escapeText } from '../../render/escape.js';
import type { Hint } from '../components/chrome.js';
import { marker, VirtualList } from '../components/virtual-list.js';
import { fitCursor, moveCursor, TOP, type Cursor } from '../cursor.js';
import { bytesText, clip, fit, fitRight, packetsText } from '../format.js';
import { listMove, type KeyPress } from '../keys.js';
import { matchText, targetSummary } from '../rule-text.js';
import { bodyHeight, push, update, type BrowserContext, type Transition } from '../screen.js';
import { bySeverity, worstSeverity } from '../findings.js';
import { toneColor, useTheme, type Tone } from '../theme.js';
import { rawScreen } from './raw-view.js';
import { serviceScreen } from './service-view.js';

export interface ChainScreen {
  readonly kind: 'chain';
  readonly table: string;
  readonly chain: string;
  readonly cursor: Cursor;
}

/** Opens a chain, with the cursor on rule number `ruleNumber` (1-based) when given. */
export function chainScreen(table: string, chain: string, ruleNumber = 0): ChainScreen {
  return {
    kind: 'chain',
    table,
    chain,
    cursor: ruleNumber > 0 ? { selected: ruleNumber - 1, offset: ruleNumber - 1 } : TOP,
  };
}

function findChain(screen: ChainScreen, ctx: BrowserContext): Chain | undefined {
  return ctx.model.ruleset.chain(screen.table, screen.chain);
}

/** The info line and the column heads sit above the list, the selected rule's finding below. */
function listHeight(ctx: BrowserContext): number {
  return bodyHeight(ctx.size) - 3;
}

/** A rule's mark: `!` for an error or warning `check` found on it, `i` for a note. */
function findingMark(
  rule: Rule,
  ctx: BrowserContext,
): { readonly mark: string; readonly tone: Tone } {
  const severity = worstSeverity(ctx.findings?.byRule.get(rule));
  if (severity === null) return { mark: ' ', tone: 'muted' };
  return severity === 'info' ? { mark: 'i', tone: 'muted' } : { mark: '!', tone: severity };
}

/** The finding on the selected rule, in a sentence, or null. */
function findingLine(rule: Rule | undefined, ctx: BrowserContext): string | null {
  const found = rule === undefined ? undefined : ctx.findings?.byRule.get(rule);
  if (found === undefined || found.length === 0) return null;
  const [first] = bySeverity(found);
  const more = found.length > 1 ? ` (+${found.length - 1} more)` : '';
  return `${first.severity}: ${escapeText(first.message)}${more}`;
}

export function chainKey(
  screen: ChainScreen,
  key: KeyPress,
  ctx: BrowserContext,
): Transition | null {
  const chain = findChain(screen, ctx);
  const rules = chain?.rules ?? [];
  const move = listMove(key);
  if (move !== null) {
    return update({
      ...screen,
      cursor: moveCursor(screen.cursor, move, rules.length, listHeight(ctx)),
    });
  }
  const selected = fitCursor(screen.cursor, rules.length, listHeight(ctx)).selected;
  const rule: Rule | undefined = rules[selected];
  if (key.name === 'enter' || key.name === 'right' || key.text === 'l') {
    const target = rule?.jumpChain ?? null;
    if (rule === undefined || target === null) {
      return { kind: 'message', text: 'this rule does not jump to a chain' };
    }
    if (ctx.model.ruleset.chain(screen.table, target) === undefined) {
      return { kind: 'message', text: `${escapeText(target)} is not in the dump` };
    }
    return push(chainScreen(screen.table, target));
  }
  if (key.text === 'r' && chain !== undefined) {
    return push(
      rawScreen(`${escapeText(chain.table)} ${escapeText(chain.name)}`, chain.rules, selected),
    );
  }
  if (key.text === 's') {
    const service = chainRole(ctx.model, screen.table, screen.chain)?.service ?? null;
    return service === null
      ? { kind: 'message', text: 'this chain belongs to no service port' }
      : push(serviceScreen(service));
  }
  return null;
}

export function chainCrumb(screen: ChainScreen): string {
  return escapeText(screen.chain);
}

export function chainHints(): Hint[] {
  return [
    { key: '↑↓/jk', does: 'move' },
    { key: 'enter', does: 'follow jump' },
    { key: 'esc', does: 'back' },
    { key: 'r', does: 'raw' },
    { key: 's', does: 'its service' },
    { key: '?', does: 'keys' },
    { key: 'q', does: 'quit' },
  ];
}

function describe(chain: Chain, ctx: BrowserContext): string {
  const parts = [`${escapeText(chain.table)} ${escapeText(chain.name)}`];
  if (chain.policy !== null) parts.push(`policy ${escapeText(chain.policy)}`);
  parts.push(`${chain.rules.length} rules`);
  const role = chainRole(ctx.model, chain.table, chain.name);
  if (role !== null && role.kind !== 'other') {
    parts.push(
      role.service !== null
        ? `${role.kind} of ${escapeText(role.service.identity.label)}`
        : role.kind,
    );
  }
  return parts.join(' · ');
}

export function ChainView(props: {
  readonly screen: ChainScreen;
  readonly ctx: BrowserContext;
}): ReactNode {
  const { screen, ctx } = props;
  const theme = useTheme();
  const chain = findChain(screen, ctx);
  if (chain === undefined) {
    return (
      <Text>{`${escapeText(screen.table)} ${escapeText(screen.chain)} is not in the dump`}</Text>
    );
  }
  const targetWidth = Math.min(30, Math.max(12, Math.floor(ctx.size.columns / 4)));
  const selected = fitCursor(screen.cursor, chain.rules.length, listHeight(ctx)).selected;
  const finding = findingLine(chain.rules[selected], ctx);
  return (
    <Box flexDirection="column">
      <Box height={1}>
        <Text wrap="truncate-end" bold>
          {describe(chain, ctx)}
        </Text>
      </Box>
      <Box height={1}>
        <Text wrap="truncate-end" bold color={toneColor(theme, 'heading')}>
          {`  ${fitRight('#', 4)} ${fitRight('PKTS', 7)} ${fitRight('BYTES', 7)} ${fit('TARGET', targetWidth)} RULE`}
        </Text>
      </Box>
      <VirtualList
        count={chain.rules.length}
        cursor={screen.cursor}
        height={listHeight(ctx)}
        empty="(no rules)"
        renderRow={(i, isSelected) => {
          const rule = chain.rules[i];
          const jumps = rule.jumpChain !== null;
          const found = findingMark(rule, ctx);
          return (
            <Text wrap="truncate-end" inverse={isSelected}>
              {marker(isSelected)}
              <Text color={toneColor(theme, found.tone)} bold>
                {found.mark}
              </Text>
              {`${fitRight(String(rule.index), 4)} ${fitRight(packetsText(rule.counters), 7)} ${fitRight(bytesText(rule.counters), 7)} `}
              <Text color={toneColor(theme, jumps ? 'link' : 'muted')} bold={jumps}>
                {fit(targetSummary(rule), targetWidth)}
              </Text>
              {` ${clip(matchText(rule), ctx.size.columns)}`}
            </Text>
          );
        }}
      />
      <Box height={1}>
        <Text wrap="truncate-end" color={toneColor(theme, 'warning')}>
          {finding ?? ' '}
        </Text>
      </Box>
    </Box>
  );
}
