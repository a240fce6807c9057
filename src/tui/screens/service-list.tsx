/**
 * The first screen: every service port of the dump, one row each, with an incremental filter.
 * Enter opens the service, `t` traces to it, `r` shows the rules behind it, `c` lists chains.
 */
import { Text } from 'ink';
import type { ReactNode } from 'react';
import type { Hint } from '../components/chrome.js';
import { FilteredListView } from '../components/filtered-list.js';
import { marker } from '../components/virtual-list.js';
import {
  filteredListCrumb,
  filteredListHeight,
  filteredListHints,
  filteredListKey,
  searchRows,
  selectedIndex,
  UNFILTERED,
  type FilteredList,
} from '../filter.js';
import { fit, fitRight } from '../format.js';
import type { KeyPress } from '../keys.js';
import { push, update, type BrowserContext, type Transition } from '../screen.js';
import { serviceRows, type ServiceRow } from '../service-rows.js';
import { worstSeverity } from '../findings.js';
import { toneColor, useTheme } from '../theme.js';
import { chainIndexScreen } from './chain-index.js';
import { rawScreen, rulesBehindService } from './raw-view.js';
import { serviceScreen } from './service-view.js';
import { traceScreenFor } from './trace-view.js';

export interface ServiceListScreen extends FilteredList {
  readonly kind: 'services';
}

export function serviceListScreen(): ServiceListScreen {
  return { kind: 'services', ...UNFILTERED };
}

function selectedRow(screen: ServiceListScreen, ctx: BrowserContext): ServiceRow | null {
  const rows = serviceRows(ctx.model);
  const i = selectedIndex(screen, rows.length);
  return i === null ? null : (rows[i] ?? null);
}

export function serviceListKey(
  screen: ServiceListScreen,
  key: KeyPress,
  ctx: BrowserContext,
): Transition | null {
  const listed = filteredListKey(
    screen,
    key,
    searchRows(serviceRows(ctx.model)),
    filteredListHeight(ctx.size),
  );
  if (listed !== null) return update(listed);
  if (key.text === 'c') return push(chainIndexScreen());
  const row = selectedRow(screen, ctx);
  if (key.name === 'enter') {
    return row === null
      ? { kind: 'message', text: 'no service selected' }
      : push(serviceScreen(row.service));
  }
  if (key.text === 't') return push(traceScreenFor(row?.service ?? null, ctx));
  if (key.text === 'r' && row !== null) {
    return push(rawScreen(`rules of ${row.label}`, rulesBehindService(row.service)));
  }
  return null;
}

export function serviceListCrumb(screen: ServiceListScreen): string {
  return filteredListCrumb(screen, 'services');
}

const OWN_HINTS: readonly Hint[] = [
  { key: 't', does: 'trace' },
  { key: 'c', does: 'chains' },
  { key: 'r', does: 'raw' },
  { key: '?', does: 'keys' },
  { key: 'q', does: 'quit' },
];

export function serviceListHints(screen: ServiceListScreen): Hint[] {
  return filteredListHints(screen, OWN_HINTS);
}

/** The mark of a row: the service's warnings, and `check`'s findings once they are known. */
function rowSeverity(row: ServiceRow, ctx: BrowserContext): 'error' | 'warning' | null {
  const found = worstSeverity(ctx.findings?.byService.get(row.service.identity.label));
  if (found === 'error' || row.severity === 'error') return 'error';
  if (found === 'warning' || row.severity === 'warning') return 'warning';
  return null;
}

type Cell = 'label' | 'type' | 'ip' | 'port' | 'nodePort' | 'endpoints';

/** Width per shown cell, in display order; 0 = not shown. */
type Columns = Readonly<Record<Cell, number>>;

const MIN_LABEL = 24;

/**
 * The service name gets what the other cells leave; on a narrow terminal the cells that matter
 * least go first (NodePort, then port, then type) so the name stays readable.
 */
function columns(width: number, ipWidth: number): Columns {
  const cells: Record<Cell, number> = {
    label: 0,
    type: 12,
    ip: ipWidth,
    port: 10,
    nodePort: 11,
    endpoints: 4,
  };
  const used = (): number =>
    // marker and warning mark (4), one space before every shown cell after the first
    (Object.keys(cells) as Cell[]).reduce(
      (n, c) => n + (c === 'label' || cells[c] === 0 ? 0 : cells[c] + 1),
      4,
    );
  for (const drop of ['nodePort', 'port', 'type'] as const) {
    if (width - used() >= MIN_LABEL) break;
    cells[drop] = 0;
  }
  cells.label = Math.max(MIN_LABEL, width - used());
  return cells;
}

function line(cells: Columns, r: Readonly<Record<Cell, string>>): string {
  const out = [fit(r.label, cells.label)];
  for (const c of ['type', 'ip', 'port', 'nodePort'] as const)
    if (cells[c] > 0) out.push(fit(r[c], cells[c]));
  out.push(fitRight(r.endpoints, cells.endpoints));
  return out.join(' ');
}

export function ServiceListView(props: {
  readonly screen: ServiceListScreen;
  readonly ctx: BrowserContext;
}): ReactNode {
  const { screen, ctx } = props;
  const theme = useTheme();
  const rows = serviceRows(ctx.model);
  const cells = columns(ctx.size.columns, ctx.model.family === 'ipv6' ? 26 : 15);
  return (
    <FilteredListView
      list={screen}
      total={rows.length}
      noun="service ports"
      heads={`    ${line(cells, { label: 'SERVICE PORT', type: 'TYPE', ip: 'CLUSTER-IP', port: 'PORT', nodePort: 'NODEPORT', endpoints: 'EPS' })}`}
      height={filteredListHeight(ctx.size)}
      emptyList={`no service ports in this dump (proxy mode: ${ctx.model.mode}); press c to browse the chains`}
      toneFilterLine
      renderRow={(i, selected) => {
        const row = rows[i];
        const severity = rowSeverity(row, ctx);
        return (
          <Text wrap="truncate-end" inverse={selected}>
            {`${marker(selected)} `}
            <Text color={toneColor(theme, severity === 'error' ? 'error' : 'warning')} bold>
              {severity === null ? ' ' : '!'}
            </Text>
            {` ${line(cells, { label: row.label, type: row.type, ip: row.clusterIP, port: row.port, nodePort: row.nodePorts, endpoints: row.endpoints })}`}
          </Text>
        );
      }}
    />
  );
}
