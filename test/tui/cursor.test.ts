import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitCursor, moveCursor, scrollOffset, TOP } from '../../src/tui/cursor.js';
import type { ListMove } from '../../src/tui/keys.js';

const MOVES: ListMove[] = ['up', 'down', 'pageUp', 'pageDown', 'top', 'bottom'];

describe('list cursor', () => {
  it('keeps the selection inside the list and inside the window, whatever the moves', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.constantFrom(...MOVES), { maxLength: 40 }),
        (count, height, moves) => {
          let c = TOP;
          for (const m of moves) c = moveCursor(c, m, count, height);
          if (count === 0) {
            expect(c).toEqual(TOP);
            return;
          }
          expect(c.selected).toBeGreaterThanOrEqual(0);
          expect(c.selected).toBeLessThan(count);
          expect(c.offset).toBeLessThanOrEqual(c.selected);
          expect(c.selected).toBeLessThan(c.offset + height);
          expect(c.offset).toBeLessThanOrEqual(Math.max(0, count - height));
        },
      ),
    );
  });

  it('moves by one, by a page, and to either end', () => {
    const c1 = moveCursor(TOP, 'down', 100, 10);
    expect(c1).toEqual({ selected: 1, offset: 0 });
    const page = moveCursor(c1, 'pageDown', 100, 10);
    expect(page).toEqual({ selected: 11, offset: 10 });
    expect(moveCursor(page, 'bottom', 100, 10)).toEqual({ selected: 99, offset: 90 });
    expect(moveCursor(page, 'top', 100, 10)).toEqual(TOP);
    expect(moveCursor(TOP, 'up', 100, 10)).toEqual(TOP);
  });

  it('refits to a smaller window (a terminal resize) so the selection stays visible', () => {
    const c = { selected: 30, offset: 10 };
    expect(fitCursor(c, 100, 5)).toEqual({ selected: 30, offset: 26 });
    // A shrunk list (a filter) pulls the selection back inside it.
    expect(fitCursor(c, 12, 5)).toEqual({ selected: 11, offset: 7 });
  });

  it('scrolls a text view without passing its end', () => {
    expect(scrollOffset(0, 'down', 50, 20)).toBe(1);
    expect(scrollOffset(25, 'pageDown', 50, 20)).toBe(30);
    expect(scrollOffset(5, 'pageUp', 50, 20)).toBe(0);
    expect(scrollOffset(0, 'bottom', 10, 20)).toBe(0);
  });
});
