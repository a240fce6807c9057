import { describe, expect, it } from 'vitest';
import {
  compactCount,
  fit,
  fitRight,
  keepEnd,
  percent,
  probabilityBar,
  wrapHard,
} from '../../src/tui/format.js';
import { readDestination } from '../../src/tui/trace-form.js';
import { colorsWanted } from '../../src/tui/no-color.js';
import { toneColor } from '../../src/tui/theme.js';
import type { Key } from 'ink';
import { arrowMove, listMove, press, toKeyPresses } from '../../src/tui/keys.js';

describe('screen text formats', () => {
  it('prints probabilities as percentages with one decimal', () => {
    expect(percent(1 / 3)).toBe('33.3%');
    expect(percent(1)).toBe('100.0%');
    expect(percent(0)).toBe('0.0%');
    expect(percent(0.0001)).toBe('<0.1%');
    expect(percent(null)).toBe('?');
  });

  it('draws a bar filled in eighths of a cell', () => {
    expect(probabilityBar(1, 4)).toBe('████');
    expect(probabilityBar(0, 4)).toBe('····');
    expect(probabilityBar(0.5, 4)).toBe('██··');
    expect(probabilityBar(1 / 3, 12)).toBe('████········');
    expect(probabilityBar(0.1, 12)).toBe('█▎··········');
    for (const p of [0, 0.01, 0.1, 0.25, 1 / 3, 0.5, 0.99, 1]) {
      expect([...probabilityBar(p, 12)]).toHaveLength(12);
    }
  });

  it('keeps counts short and cells exact', () => {
    expect(compactCount(99_999)).toBe('99999');
    expect(compactCount(123_456)).toBe('123K');
    expect(compactCount(5_600_000)).toBe('5.6M');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fitRight('7', 3)).toBe('  7');
    expect(keepEnd('services › web › KUBE-SVC-X', 12)).toBe('… KUBE-SVC-X');
    expect(wrapHard('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
  });
});

describe('trace destination as typed', () => {
  it('reads IP:PORT and [IPv6]:PORT', () => {
    expect(readDestination('10.96.0.10:80')).toEqual({ ip: '10.96.0.10', port: 80 });
    expect(readDestination(' [fd00::10]:8080 ')).toEqual({ ip: 'fd00::10', port: 8080 });
  });

  it('explains what is wrong', () => {
    expect(readDestination('')).toHaveProperty('error');
    expect(readDestination('10.96.0.10')).toMatchObject({
      error: expect.stringContaining('add the port'),
    });
    expect(readDestination('10.96.0.300:80')).toMatchObject({
      error: expect.stringContaining('not an IP address'),
    });
    expect(readDestination('10.96.0.10:0')).toMatchObject({
      error: expect.stringContaining('not a port'),
    });
    expect(readDestination('fd00::10')).toMatchObject({
      error: expect.stringContaining('add the port'),
    });
  });
});

describe('NO_COLOR', () => {
  it('turns colours off when set and not empty', () => {
    expect(colorsWanted({})).toBe(true);
    expect(colorsWanted({ NO_COLOR: '' })).toBe(true);
    expect(colorsWanted({ NO_COLOR: '1' })).toBe(false);
    expect(toneColor({ color: false }, 'error')).toBeUndefined();
    expect(toneColor({ color: true }, 'error')).toBe('red');
  });
});

describe('keys', () => {
  const none: Key = {
    upArrow: false,
    downArrow: false,
    leftArrow: false,
    rightArrow: false,
    pageDown: false,
    pageUp: false,
    home: false,
    end: false,
    return: false,
    escape: false,
    ctrl: false,
    shift: false,
    tab: false,
    backspace: false,
    delete: false,
    meta: false,
    super: false,
    hyper: false,
    capsLock: false,
    numLock: false,
  };

  it('splits keys that arrive together into one key each, control characters included', () => {
    expect(toKeyPresses('jj\r\t\u007fq', none)).toEqual([
      press({ text: 'j' }),
      press({ text: 'j' }),
      press('enter'),
      press('tab'),
      press('backspace'),
      press({ text: 'q' }),
    ]);
    expect(toKeyPresses('', { ...none, downArrow: true })).toEqual([press('down')]);
    expect(toKeyPresses('f', { ...none, ctrl: true })).toEqual([press({ text: 'f', ctrl: true })]);
  });

  it('names the list moves', () => {
    expect(listMove(press({ text: 'G' }))).toBe('bottom');
    expect(listMove(press({ text: 'j' }))).toBe('down');
    expect(arrowMove(press({ text: 'j' }))).toBeNull();
    expect(arrowMove(press('pageDown'))).toBe('pageDown');
  });
});
