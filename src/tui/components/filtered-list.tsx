/**
 * The body of a filterable list screen: the filter line with its count, the column heads, and
 * the rows. The screen brings what is its own (the heads, how a row is drawn, what the list
 * counts); the keys are filter.ts's.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { escapeText } from '../../render/escape.js';
import { rowIndex, shownCount, type FilteredList } from '../filter.js';
import { toneColor, useTheme } from '../theme.js';
import { VirtualList } from './virtual-list.js';

export interface FilteredListViewProps {
  readonly list: FilteredList;
  /** Rows before filtering. */
  readonly total: number;
  /** What the rows are, plural, for the summary: `12 of 40 chains`. */
  readonly noun: string;
  /** The column heads, laid out as the rows are. */
  readonly heads: string;
  readonly height: number;
  /** Shown when there are no rows at all (rather than none that match). */
  readonly emptyList: string;
  /**
   * The service list sets the filter line off (key colour while typing, dim when idle); the
   * chain index has always kept it plain.
   */
  readonly toneFilterLine?: boolean;
  /** Draws row `row` (an index into the unfiltered rows); only called for visible rows. */
  readonly renderRow: (row: number, selected: boolean) => ReactNode;
}

export function FilteredListView(props: FilteredListViewProps): ReactNode {
  const { list, total } = props;
  const theme = useTheme();
  const count = shownCount(list, total);
  const filterLine = list.editing
    ? `/${escapeText(list.filter)}▏`
    : list.filter !== ''
      ? `filter: ${escapeText(list.filter)}  (esc clears)`
      : 'press / to filter';
  const summary =
    list.matches === null ? `${total} ${props.noun}` : `${count} of ${total} ${props.noun}`;
  const toned = props.toneFilterLine === true;
  return (
    <Box flexDirection="column">
      <Box height={1}>
        <Text wrap="truncate-end">
          <Text
            bold={list.editing}
            color={toned && list.editing ? toneColor(theme, 'key') : undefined}
            dimColor={toned && !list.editing && list.filter === ''}
          >
            {filterLine}
          </Text>
          <Text dimColor>{`   ${summary}`}</Text>
        </Text>
      </Box>
      <Box height={1}>
        <Text wrap="truncate-end" bold color={toneColor(theme, 'heading')}>
          {props.heads}
        </Text>
      </Box>
      <VirtualList
        count={count}
        cursor={list.cursor}
        height={props.height}
        empty={total === 0 ? props.emptyList : 'nothing matches the filter'}
        renderRow={(i, selected) => props.renderRow(rowIndex(list, i), selected)}
      />
    </Box>
  );
}
