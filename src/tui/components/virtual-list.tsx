/**
 * A list that renders only the rows in its window, so a list of a million rules costs what a
 * list of forty does. The cursor is refitted to the current height on every render, which is
 * what makes a terminal resize re-lay the list without a key press.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { fitCursor, type Cursor } from '../cursor.js';

export interface VirtualListProps {
  readonly count: number;
  readonly cursor: Cursor;
  readonly height: number;
  /** Draws row `index`; only called for visible rows. */
  readonly renderRow: (index: number, selected: boolean) => ReactNode;
  /** Shown when the list is empty. */
  readonly empty?: string;
}

export function VirtualList(props: VirtualListProps): ReactNode {
  const height = Math.max(1, props.height);
  const cursor = fitCursor(props.cursor, props.count, height);
  const rows: ReactNode[] = [];
  const end = Math.min(props.count, cursor.offset + height);
  for (let i = cursor.offset; i < end; i++) {
    rows.push(<Box key={i}>{props.renderRow(i, i === cursor.selected)}</Box>);
  }
  return (
    <Box flexDirection="column" height={height} flexShrink={0}>
      {props.count === 0 && props.empty !== undefined ? <Text dimColor>{props.empty}</Text> : rows}
    </Box>
  );
}

/** The selection marker: a `›` that needs no colour, plus inverse video where styles work. */
export function marker(selected: boolean): string {
  return selected ? '›' : ' ';
}
