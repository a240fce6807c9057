/**
 * Every chain of every table, filterable: the way in for dumps without services (IPVS mode,
 * fragments) and for chains no service owns (CNI, Docker).
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { chainRole, type KubeModel } from '../../kube/model.js';
import type { Chain } from '../../model/ruleset.js';
import { escapeText } from '../../render/escape.js';
import type { Hint } from '../components/chrome.js';
import { marker, VirtualList } from '../components/virtual-list.js';
import {
  filteredListKey,
  rowIndex,
  shownCount,
  UNFILTERED,
  type FilteredList,
  type SearchIndex,
} from '../filter.js';
import { fit, fitRight } from '../format.js';
import type { KeyPress } from '../keys.js';
import { bodyHeight, push, update, type BrowserContext, type Transition } from '../screen.js';
import { toneColor, useTheme } from '../theme.js';
import { chainScreen } from './chain-view.js';
import { rawScreen } from './raw-view.js';

export interface ChainIndexScreen extends FilteredList {
  readonly kind: 'chains';
}

export function chainIndexScreen(): ChainIndexScreen {
  return { kind: 'chains', ...UNFILTERED };
}

/**
 * Every chain, in dump order. A large dump has hundreds of thousands, so the list is only the
 * chains themselves; roles are looked up for the rows on screen, and the search texts are made
 * on the first filter key.
 */
interface ChainList {
  readonly chains: readonly Chain[];
  search: string[] | null;
}

const cache = new WeakMap<KubeModel, ChainList>();

function chainList(model: KubeModel): ChainList {
  let list = cache.get(model);
  if (list === undefined) {
    const chains: Chain[] = [];
    for (const table of model.ruleset.tables) for (const chain of table.chains) chains.push(chain);
    list = { chains, search: null };
    cache.set(model, list);
  }
  return list;
}

function searchIndex(list: ChainList): SearchIndex {
  return {
    count: list.chains.length,
    text: (i) => {
      list.search ??= list.chains.map((c) => `${c.table} ${c.name}`.toLowerCase());
      return list.search[i] ?? '';
    },
  };
}

/** Builds the chain list and its search texts ahead of time (a million-rule dump: ~0.1 s). */
export function prepareChainIndex(model: KubeModel): void {
  searchIndex(chainList(model)).text(0);
}

function roleText(model: KubeModel, chain: Chain): string {
  const role = chainRole(model, chain.table, chain.name);
  if (role === null) return '';
  return role.service === null
    ? role.kind
    : `${role.kind} of ${escapeText(role.service.identity.label)}`;
}

function listHeight(ctx: BrowserContext): number {
  return bodyHeight(ctx.size) - 2;
}

export function chainIndexKey(
  screen: ChainIndexScreen,
  key: KeyPress,
  ctx: BrowserContext,
): Transition | null {
  const list = chainList(ctx.model);
  const listed = filteredListKey(screen, key, searchIndex(list), listHeight(ctx));
  if (listed !== null) return update(listed);
  const chain =
    shownCount(screen, list.chains.length) === 0
      ? undefined
      : list.chains[rowIndex(screen, screen.cursor.selected)];
  if (chain === undefined) return null;
  if (key.name === 'enter') return push(chainScreen(chain.table, chain.name));
  if (key.text === 'r') {
    return push(rawScreen(`${escapeText(chain.table)} ${escapeText(chain.name)}`, chain.rules));
  }
  return null;
}

export function chainIndexCrumb(screen: ChainIndexScreen): string {
  return screen.filter === '' ? 'chains' : `chains /${escapeText(screen.filter)}`;
}

export function chainIndexHints(screen: ChainIndexScreen): Hint[] {
  if (screen.editing) {
    return [
      { key: 'type', does: 'to filter' },
      { key: 'enter', does: 'done' },
      { key: 'esc', does: 'clear' },
    ];
  }
  return [
    { key: '↑↓/jk', does: 'move' },
    { key: 'enter', does: 'open' },
    { key: '/', does: 'filter' },
    { key: 'r', does: 'raw' },
    { key: 'esc', does: 'back' },
    { key: 'q', does: 'quit' },
  ];
}

export function ChainIndexView(props: {
  readonly screen: ChainIndexScreen;
  readonly ctx: BrowserContext;
}): ReactNode {
  const { screen, ctx } = props;
  const theme = useTheme();
  const list = chainList(ctx.model);
  const total = list.chains.length;
  const count = shownCount(screen, total);
  const filterLine = screen.editing
    ? `/${escapeText(screen.filter)}▏`
    : screen.filter !== ''
      ? `filter: ${escapeText(screen.filter)}  (esc clears)`
      : 'press / to filter';
  const summary = screen.matches === null ? `${total} chains` : `${count} of ${total} chains`;
  return (
    <Box flexDirection="column">
      <Box height={1}>
        <Text wrap="truncate-end">
          <Text bold={screen.editing}>{filterLine}</Text>
          <Text dimColor>{`   ${summary}`}</Text>
        </Text>
      </Box>
      <Box height={1}>
        <Text wrap="truncate-end" bold color={toneColor(theme, 'heading')}>
          {`  ${fit('TABLE', 8)} ${fit('CHAIN', 30)} ${fitRight('RULES', 6)} ROLE`}
        </Text>
      </Box>
      <VirtualList
        count={count}
        cursor={screen.cursor}
        height={listHeight(ctx)}
        empty={total === 0 ? 'the dump has no chains' : 'nothing matches the filter'}
        renderRow={(i, selected) => {
          const chain = list.chains[rowIndex(screen, i)];
          return (
            <Text wrap="truncate-end" inverse={selected}>
              {`${marker(selected)} ${fit(escapeText(chain.table), 8)} ${fit(escapeText(chain.name), 30)} ${fitRight(String(chain.rules.length), 6)} `}
              <Text dimColor>{roleText(ctx.model, chain)}</Text>
            </Text>
          );
        }}
      />
    </Box>
  );
}
