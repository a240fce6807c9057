/**
 * The incremental filter of the list screens (`/`): typing narrows the list at each key, Enter
 * keeps the filter and returns the keys to the list, Esc clears it. While the filter has the
 * keys, letters are text (so `q` and `j` can be typed) and only arrows and pages move.
 */
import { escapeText } from '../render/escape.js';
import type { Hint } from './components/chrome.js';
import { TOP, moveCursor, type Cursor } from './cursor.js';
import { arrowMove, listMove, type KeyPress } from './keys.js';
import { bodyHeight, type TerminalSize } from './screen.js';

/** What a filter searches: row `i`'s lower-case search text, computed when first needed. */
export interface SearchIndex {
  readonly count: number;
  text(i: number): string;
}

export function searchRows(rows: readonly { readonly search: string }[]): SearchIndex {
  return { count: rows.length, text: (i) => rows[i].search };
}

/**
 * Indexes of the rows whose search text holds every space-separated word of the query (case
 * does not matter); null when the query is empty (every row).
 */
export function filterIndexes(
  index: SearchIndex,
  query: string,
  /** Only these rows can match (the matches of a shorter query the new one extends). */
  within: readonly number[] | null = null,
): number[] | null {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return null;
  const out: number[] = [];
  const test = (i: number): void => {
    const s = index.text(i);
    if (words.every((w) => s.includes(w))) out.push(i);
  };
  if (within !== null) for (const i of within) test(i);
  else for (let i = 0; i < index.count; i++) test(i);
  return out;
}

export interface FilteredList {
  readonly cursor: Cursor;
  readonly filter: string;
  /** True while typed keys go to the filter. */
  readonly editing: boolean;
  /** Indexes of the rows that pass the filter; null when there is no filter. */
  readonly matches: readonly number[] | null;
}

export const UNFILTERED = { cursor: TOP, filter: '', editing: false, matches: null } as const;

export function shownCount(list: FilteredList, total: number): number {
  return list.matches === null ? total : list.matches.length;
}

/** The row index behind visible position `i`. */
export function rowIndex(list: FilteredList, i: number): number {
  return list.matches === null ? i : list.matches[i];
}

/** The row index under the cursor; null when no row passes the filter. */
export function selectedIndex(list: FilteredList, total: number): number | null {
  return shownCount(list, total) === 0 ? null : rowIndex(list, list.cursor.selected);
}

/** Rows of a filtered list: the filter line and the column heads sit above it. */
export function filteredListHeight(size: TerminalSize): number {
  return bodyHeight(size) - 2;
}

/** `name`, or `name /query` while a filter narrows the list. */
export function filteredListCrumb(list: FilteredList, name: string): string {
  return list.filter === '' ? name : `${name} /${escapeText(list.filter)}`;
}

const BROWSE_HINTS: readonly Hint[] = [
  { key: '↑↓/jk', does: 'move' },
  { key: 'enter', does: 'open' },
  { key: '/', does: 'filter' },
];
const TYPE_HINT: Hint = { key: 'type', does: 'to filter' };
const ARROW_HINT: Hint = { key: '↑↓', does: 'move' };
const DONE_HINTS: readonly Hint[] = [
  { key: 'enter', does: 'done' },
  { key: 'esc', does: 'clear' },
];

/**
 * The status bar of a filtered list; the screen adds only its `own` keys. `arrowHint` is false
 * for the chain index, whose typing hints have always left out ↑↓ (its status bar is kept as is).
 */
export function filteredListHints(
  list: FilteredList,
  own: readonly Hint[],
  arrowHint = true,
): Hint[] {
  if (!list.editing) return [...BROWSE_HINTS, ...own];
  return arrowHint ? [TYPE_HINT, ARROW_HINT, ...DONE_HINTS] : [TYPE_HINT, ...DONE_HINTS];
}

function refilter<S extends FilteredList>(list: S, filter: string, rows: SearchIndex): S {
  // A longer query can only match rows the shorter one matched.
  const within = filter.startsWith(list.filter) ? list.matches : null;
  return { ...list, filter, matches: filterIndexes(rows, filter, within), cursor: TOP };
}

/**
 * Handles the keys a filtered list owns. Returns the new state, or null when the key is not
 * the list's (the screen or the browser decides).
 */
export function filteredListKey<S extends FilteredList>(
  list: S,
  key: KeyPress,
  rows: SearchIndex,
  height: number,
): S | null {
  const count = shownCount(list, rows.count);
  if (list.editing) {
    switch (key.name) {
      case 'enter':
        return { ...list, editing: false };
      case 'escape':
        return { ...list, ...UNFILTERED };
      case 'backspace':
        return list.filter === ''
          ? { ...list, editing: false }
          : refilter(list, list.filter.slice(0, -1), rows);
    }
    const move = arrowMove(key);
    if (move !== null) return { ...list, cursor: moveCursor(list.cursor, move, count, height) };
    if (key.text !== '' && !key.ctrl) return refilter(list, list.filter + key.text, rows);
    return list;
  }
  if (key.text === '/') return { ...list, editing: true };
  if (key.name === 'escape' && list.filter !== '') return { ...list, ...UNFILTERED };
  const move = listMove(key);
  if (move !== null) return { ...list, cursor: moveCursor(list.cursor, move, count, height) };
  return null;
}
