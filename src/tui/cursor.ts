/**
 * The position in a scrolling list: the selected row and the first row shown. Only the rows
 * between `offset` and `offset + height` are ever rendered, whatever the list's length.
 */
import type { ListMove } from './keys.js';

export interface Cursor {
  readonly selected: number;
  /** Index of the first visible row. */
  readonly offset: number;
}

export const TOP: Cursor = { selected: 0, offset: 0 };

function clamp(n: number, low: number, high: number): number {
  return n < low ? low : n > high ? high : n;
}

/**
 * Keeps the selection inside the list and on screen, and the window from hanging past the end
 * (after a filter shrank the list or the terminal was resized).
 */
export function fitCursor(c: Cursor, count: number, height: number): Cursor {
  const h = Math.max(1, height);
  if (count <= 0) return TOP;
  const selected = clamp(c.selected, 0, count - 1);
  let offset = clamp(c.offset, 0, Math.max(0, count - h));
  if (selected < offset) offset = selected;
  else if (selected >= offset + h) offset = selected - h + 1;
  return selected === c.selected && offset === c.offset ? c : { selected, offset };
}

/** Moves the selection; pages move the window with it, as less does. */
export function moveCursor(c: Cursor, move: ListMove, count: number, height: number): Cursor {
  const h = Math.max(1, height);
  switch (move) {
    case 'up':
      return fitCursor({ selected: c.selected - 1, offset: c.offset }, count, h);
    case 'down':
      return fitCursor({ selected: c.selected + 1, offset: c.offset }, count, h);
    case 'pageUp':
      return fitCursor({ selected: c.selected - h, offset: c.offset - h }, count, h);
    case 'pageDown':
      return fitCursor({ selected: c.selected + h, offset: c.offset + h }, count, h);
    case 'top':
      return fitCursor(TOP, count, h);
    case 'bottom':
      return fitCursor({ selected: count - 1, offset: count - h }, count, h);
  }
}

/** Scrolls a text view (no selection): the offset alone moves. */
export function scrollOffset(
  offset: number,
  move: ListMove,
  count: number,
  height: number,
): number {
  const h = Math.max(1, height);
  const last = Math.max(0, count - h);
  switch (move) {
    case 'up':
      return clamp(offset - 1, 0, last);
    case 'down':
      return clamp(offset + 1, 0, last);
    case 'pageUp':
      return clamp(offset - h, 0, last);
    case 'pageDown':
      return clamp(offset + h, 0, last);
    case 'top':
      return 0;
    case 'bottom':
      return last;
  }
}
