/**
 * Every chain of every table, filterable: the way in for dumps without services (IPVS mode,
 * fragments) and for chains no service owns (CNI, Docker).
 */
import { Text } from 'ink';
import type { ReactNode } from 'react';
import { chainRole, type KubeModel } from '../../kube/model.js';
import type { Chain } from '../../model/ruleset.js';
import { escapeText } from '../../render/escape.js';
import type { Hint } from '../components/chrome.js';
import { FilteredListView } from '../components/filtered-list.js';
import { marker } from '../components/virtual-list.js';
import {
  filteredListCrumb,
  filteredListHeight,
  filteredListHints,
  filteredListKey,
  selectedIndex,
  UNFILTERED,
  type FilteredList,
  type SearchIndex,
} from '../filter.js';
import { fit, fitRight } from '../format.js';
import type { KeyPress } from '../keys.js';
import { push, update, type BrowserContext, type Transition } from '../screen.js';
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

export function chainIndexKey(
  screen: ChainIndexScreen,
  key: KeyPress,
  ctx: BrowserContext,
): Transition | null {
  const list = chainList(ctx.model);
  const listed = filteredListKey(screen, key, searchIndex(list), filteredListHeight(ctx.size));
  if (listed !== null) return update(listed);
  const i = selectedIndex(screen, list.chains.length);
  const chain = i === null ? undefined : list.chains[i];
  if (chain === undefined) return null;
  if (key.name === 'enter') return push(chainScreen(chain.table, chain.name));
  if (key.text === 'r') {
    return push(rawScreen(`${escapeText(chain.table)} ${escapeText(chain.name)}`, chain.rules));
  }
  return null;
}

export function chainIndexCrumb(screen: ChainIndexScreen): string {
  return filteredListCrumb(screen, 'chains');
}

const OWN_HINTS: readonly Hint[] = [
  { key: 'r', does: 'raw' },
  { key: 'esc', does: 'back' },
  { key: 'q', does: 'quit' },
];

export function chainIndexHints(screen: ChainIndexScreen): Hint[] {
  return filteredListHints(screen, OWN_HINTS, false);
}

export function ChainIndexView(props: {
  readonly screen: ChainIndexScreen;
  readonly ctx: BrowserContext;
}): ReactNode {
  const { screen, ctx } = props;
  const list = chainList(ctx.model);
  return (
    <FilteredListView
      list={screen}
      total={list.chains.length}
      noun="chains"
      heads={`  ${fit('TABLE', 8)} ${fit('CHAIN', 30)} ${fitRight('RULES', 6)} ROLE`}
      height={filteredListHeight(ctx.size)}
      emptyList="the dump has no chains"
      renderRow={(i, selected) => {
        const chain = list.chains[i];
        return (
          <Text wrap="truncate-end" inverse={selected}>
            {`${marker(selected)} ${fit(escapeText(chain.table), 8)} ${fit(escapeText(chain.name), 30)} ${fitRight(String(chain.ruleCount), 6)} `}
            <Text dimColor>{roleText(ctx.model, chain)}</Text>
          </Text>
        );
      }}
    />
  );
}
