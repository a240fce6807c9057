/**
 * One service port: its addresses, policies and warnings, then the chains and endpoints it is
 * made of. Each endpoint shows its effective probability as a bar and a percentage and, when
 * the dump has counters, the packets it got and their share. Enter opens the selected chain.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { ServicePort } from '../../kube/model.js';
import type { Rule } from '../../model/rule.js';
import type { Chain } from '../../model/ruleset.js';
import { escapeText } from '../../render/escape.js';
import type { Hint } from '../components/chrome.js';
import { marker, VirtualList } from '../components/virtual-list.js';
import { moveCursor, TOP, type Cursor } from '../cursor.js';
import { clip, fit, fitRight, percent, probabilityBar } from '../format.js';
import { listMove, type KeyPress } from '../keys.js';
import { bodyHeight, push, update, type BrowserContext, type Transition } from '../screen.js';
import {
  endpointAddress,
  otherPaths,
  primaryPath,
  serviceInfo,
  serviceLinks,
  serviceWarnings,
  type InfoLine,
  type ServiceLink,
} from '../service-facts.js';
import { toneColor, useTheme } from '../theme.js';
import { chainScreen } from './chain-view.js';
import { rawScreen, rulesBehindService } from './raw-view.js';
import { traceScreenFor } from './trace-view.js';

export interface ServiceScreen {
  readonly kind: 'service';
  readonly service: ServicePort;
  readonly cursor: Cursor;
}

export function serviceScreen(service: ServicePort): ServiceScreen {
  return { kind: 'service', service, cursor: TOP };
}

const MAX_WARNINGS = 3;

interface Layout {
  readonly info: readonly InfoLine[];
  readonly warnings: readonly InfoLine[];
  readonly hiddenWarnings: number;
  readonly listHeight: number;
}

/** The facts take what they need and the list the rest, but the list keeps at least 3 rows. */
function layout(service: ServicePort, ctx: BrowserContext): Layout {
  const body = bodyHeight(ctx.size);
  const findings =
    ctx.findings === null ? null : (ctx.findings.byService.get(service.identity.label) ?? []);
  const allWarnings = serviceWarnings(service, findings);
  const warnings = allWarnings.slice(0, MAX_WARNINGS);
  const room = Math.max(0, body - 1 - 3 - warnings.length);
  const info = serviceInfo(service, ctx.model.ruleset.hasCounters).slice(0, room);
  return {
    info,
    warnings,
    hiddenWarnings: allWarnings.length - warnings.length,
    listHeight: Math.max(1, body - info.length - warnings.length - 1),
  };
}

/** The chain ClusterIP traffic enters first: what `c` opens. */
function mainChain(service: ServicePort): Chain | null {
  const c = service.chains;
  return c.svc ?? c.svl ?? c.ext ?? c.fw ?? c.xlb;
}

function linkRules(link: ServiceLink): readonly Rule[] {
  return link.kind === 'chain' ? link.chain.rules : link.endpoint.rules;
}

export function serviceKey(
  screen: ServiceScreen,
  key: KeyPress,
  ctx: BrowserContext,
): Transition | null {
  const links = serviceLinks(screen.service);
  const move = listMove(key);
  if (move !== null) {
    return update({
      ...screen,
      cursor: moveCursor(screen.cursor, move, links.length, layout(screen.service, ctx).listHeight),
    });
  }
  const link: ServiceLink | undefined = links[screen.cursor.selected];
  const label = escapeText(screen.service.identity.label);
  if (key.name === 'enter') {
    if (link === undefined) return { kind: 'message', text: 'nothing to open' };
    const chain = link.kind === 'chain' ? link.chain : link.endpoint.chain;
    return push(chainScreen(chain.table, chain.name));
  }
  if (key.text === 'c') {
    const chain = mainChain(screen.service);
    return chain === null
      ? { kind: 'message', text: `${label} has no service chain in this dump` }
      : push(chainScreen(chain.table, chain.name));
  }
  if (key.text === 't') return push(traceScreenFor(screen.service, ctx));
  if (key.text === 'r') {
    return link === undefined
      ? push(rawScreen(`rules of ${label}`, rulesBehindService(screen.service)))
      : push(
          rawScreen(
            `rules of ${link.kind === 'chain' ? escapeText(link.chain.name) : endpointAddress(link.endpoint)}`,
            linkRules(link),
          ),
        );
  }
  if (key.text === 'R')
    return push(rawScreen(`rules of ${label}`, rulesBehindService(screen.service)));
  return null;
}

export function serviceCrumb(screen: ServiceScreen): string {
  return escapeText(screen.service.identity.label);
}

export function serviceHints(): Hint[] {
  return [
    { key: '↑↓/jk', does: 'move' },
    { key: 'enter', does: 'open chain' },
    { key: 'c', does: 'service chain' },
    { key: 't', does: 'trace' },
    { key: 'r/R', does: 'raw selected/all' },
    { key: 'esc', does: 'back' },
    { key: '?', does: 'keys' },
    { key: 'q', does: 'quit' },
  ];
}

const BAR = 12;

function Info(props: { readonly line: InfoLine }): ReactNode {
  const theme = useTheme();
  const { line } = props;
  return (
    <Box height={1}>
      <Text wrap="truncate-end">
        <Text bold>{fit(line.label, 14)}</Text>
        <Text
          color={
            line.tone === 'warning' || line.tone === 'error'
              ? toneColor(theme, line.tone)
              : undefined
          }
          dimColor={line.tone === 'muted'}
        >
          {clip(line.value, 200)}
        </Text>
      </Text>
    </Box>
  );
}

export function ServiceView(props: {
  readonly screen: ServiceScreen;
  readonly ctx: BrowserContext;
}): ReactNode {
  const { screen, ctx } = props;
  const theme = useTheme();
  const service = screen.service;
  const lay = layout(service, ctx);
  const links = serviceLinks(service);
  const counters = ctx.model.ruleset.hasCounters;
  const head = `  ${fit('ENDPOINT / CHAIN', 24)} ${fit('PROBABILITY', BAR)} ${fitRight('', 6)}${counters ? ` ${fitRight('PACKETS', 8)} ${fitRight('SHARE', 6)}` : ''} ${fit('LOCAL', 5)} CHAIN`;
  return (
    <Box flexDirection="column">
      {lay.info.map((line) => (
        <Info key={line.label} line={line} />
      ))}
      {lay.warnings.map((line, i) => (
        <Info
          key={`w${i}`}
          line={
            i === lay.warnings.length - 1 && lay.hiddenWarnings > 0
              ? { ...line, value: `${line.value} (+${lay.hiddenWarnings} more)` }
              : line
          }
        />
      ))}
      <Box height={1}>
        <Text wrap="truncate-end" bold color={toneColor(theme, 'heading')}>
          {head}
        </Text>
      </Box>
      <VirtualList
        count={links.length}
        cursor={screen.cursor}
        height={lay.listHeight}
        empty="no chains and no endpoints for this service port in the dump"
        renderRow={(i, selected) => {
          const link = links[i];
          if (link.kind === 'chain') {
            return (
              <Text wrap="truncate-end" inverse={selected}>
                {`${marker(selected)} `}
                <Text color={toneColor(theme, 'link')}>{`→ ${escapeText(link.chain.name)}`}</Text>
                {`  ${link.what}, ${link.chain.rules.length} rules`}
              </Text>
            );
          }
          const ep = link.endpoint;
          const path = primaryPath(ep);
          const observed = path?.observed ?? null;
          const others = otherPaths(ep);
          return (
            <Text wrap="truncate-end" inverse={selected}>
              {`${marker(selected)} ${fit(endpointAddress(ep), 24)} `}
              <Text color={toneColor(theme, 'ok')}>{probabilityBar(ep.probability, BAR)}</Text>
              {` ${fitRight(percent(ep.probability), 6)}`}
              {counters ? (
                <Text
                  color={observed?.off ? toneColor(theme, 'warning') : undefined}
                  bold={observed?.off === true}
                >
                  {` ${fitRight(observed === null ? '-' : `${observed.exact ? '' : '≥'}${observed.packets}`, 8)} ${fitRight(observed === null ? '-' : percent(observed.share), 6)}`}
                </Text>
              ) : (
                ''
              )}
              {` ${fit(ep.local === null ? '?' : ep.local ? 'yes' : 'no', 5)} `}
              <Text color={toneColor(theme, 'link')}>{escapeText(ep.chain.name)}</Text>
              {others === '' ? '' : `  (${others})`}
            </Text>
          );
        }}
      />
    </Box>
  );
}
