/**
 * The first screen: every service port of the dump, one row each, with an incremental filter.
 * Enter opens the service, `t` traces to it, `r` shows the rules behind it, `c` lists chains.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { escapeText } from '../../render/escape.js';
import { marker, VirtualList } from '../components/virtual-list.js';
import type { Hint } from '../components/chrome.js';
import {
  filteredListKey,
  rowIndex,
  searchRows,
  shownCount,
  UNFILTERED,
  type FilteredList,
} from '../filter.js';
import { fit, fitRight } from '../format.js';
import type { KeyPress } from '../keys.js';
import { bodyHeight, push, update, type BrowserContext, type Transition } from '../screen.js';
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

/** The filter line and the column heads sit above the list. */
function listHeight(ctx: BrowserContext): number {
  return bodyHeight(ctx.size) - 2;
}

function selectedRow(screen: ServiceListScreen, ctx: BrowserContext): ServiceRow | null {
  const rows = serviceRows(ctx.model);
  if (shownCount(screen, rows.length) === 0) return null;
  return rows[rowIndex(screen, screen.cursor.selected)] ?? null;
}

export function serviceListKey(
  screen: ServiceListScreen,
  key: KeyPress,
  ctx: BrowserContext,
): Transition | null {
  const listed = filteredListKey(screen, key, searchRows(serviceRows(ctx.model)), listHeight(ctx));
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
  return screen.filter === '' ? 'services' : `services /${escapeText(screen.filter)}`;
}

export function serviceListHints(screen: ServiceListScreen): Hint[] {
  if (screen.editing) {
    return [
      { key: 'type', does: 'to filter' },
      { key: '↑↓', does: 'move' },
      { key: 'enter', does: 'done' },
      { key: 'esc', does: 'clear' },
    ];
  }
  return [
    { key: '↑↓/jk', does: 'move' },
    { key: 'enter', does: 'open' },
    { key: '/', does: 'filter' },
    { key: 't', does: 'trace' },
    { key: 'c', does: 'chains' },
    { key: 'r', does: 'raw' },
    { key: '?', does: 'keys' },
    { key: 'q', does: 'quit' },
  ];
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
  const count = shownCount(screen, rows.length);
  const cells = columns(ctx.size.columns, ctx.model.family === 'ipv6' ? 26 : 15);
  const filterLine = screen.editing
    ? `/${escapeText(screen.filter)}▏`
    : screen.filter !== ''
      ? `filter: ${escapeText(screen.filter)}  (esc clears)`
      : 'press / to filter';
  const total = rows.length;
  const summary =
    screen.matches === null ? `${total} service ports` : `${count} of ${total} service ports`;
  const empty =
    total === 0
      ? `no service ports in this dump (proxy mode: ${ctx.model.mode}); press c to browse the chains`
      : 'nothing matches the filter';
  return (
    <Box flexDirection="column">
      <Box height={1}>
        <Text wrap="truncate-end">
          <Text
            bold={screen.editing}
            color={screen.editing ? toneColor(theme, 'key') : undefined}
            dimColor={!screen.editing && screen.filter === ''}
          >
            {filterLine}
          </Text>
          <Text dimColor>{`   ${summary}`}</Text>
        </Text>
      </Box>
      <Box height={1}>
        <Text wrap="truncate-end" bold color={toneColor(theme, 'heading')}>
          {`    ${line(cells, { label: 'SERVICE PORT', type: 'TYPE', ip: 'CLUSTER-IP', port: 'PORT', nodePort: 'NODEPORT', endpoints: 'EPS' })}`}
        </Text>
      </Box>
      <VirtualList
        count={count}
        cursor={screen.cursor}
        height={listHeight(ctx)}
        empty={empty}
        renderRow={(i, selected) => {
          const row = rows[rowIndex(screen, i)];
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
    </Box>
  );
}
