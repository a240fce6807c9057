/**
 * Key presses as the browser sees them: ink's Key flags reduced to one name, plus the typed text.
 * Screens decide what a key means; this module only names keys and the list moves every list
 * shares (arrows, j/k, PgUp/PgDn, g/G, as less and vim have them).
 */
import type { Key } from 'ink';

export type KeyName =
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'enter'
  | 'escape'
  | 'backspace'
  | 'tab'
  | 'backtab';

export interface KeyPress {
  /** A named key, or null for typed text. */
  readonly name: KeyName | null;
  /** What was typed ('' for named keys and control combinations). */
  readonly text: string;
  readonly ctrl: boolean;
}

function keyName(key: Key): KeyName | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageUp';
  if (key.pageDown) return 'pageDown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'backtab' : 'tab';
  // Most terminals send DEL (0x7f) for the Backspace key, which ink reports as `delete`.
  if (key.backspace || key.delete) return 'backspace';
  return null;
}

export function toKeyPress(input: string, key: Key): KeyPress {
  const name = keyName(key);
  return { name, text: name === null && !key.ctrl ? input : '', ctrl: key.ctrl };
}

/** One character of several that arrived together: Enter, Tab and Backspace are control characters. */
function charKey(c: string): KeyPress {
  switch (c) {
    case '\r':
    case '\n':
      return { name: 'enter', text: '', ctrl: false };
    case '\t':
      return { name: 'tab', text: '', ctrl: false };
    case '\u007f':
    case '\b':
      return { name: 'backspace', text: '', ctrl: false };
  }
  const code = c.codePointAt(0) ?? 0;
  // Ctrl+letter arrives as 1..26.
  if (code < 0x20) return { name: null, text: '', ctrl: true };
  return { name: null, text: c, ctrl: false };
}

/**
 * The key presses behind one ink input event. Keys typed faster than they are read reach ink
 * together, and ink hands over everything up to the next escape sequence as one string, as it
 * does a paste (`jjj\r`); each character is a key of its own, so holding `j` down on a busy
 * screen still moves one row per `j`, and an Enter typed right after is still an Enter.
 */
export function toKeyPresses(input: string, key: Key): KeyPress[] {
  const single = toKeyPress(input, key);
  if (single.name !== null || single.ctrl || input.length <= 1) return [single];
  return Array.from(input, charKey);
}

/** Builds a KeyPress for a named key or typed text (tests, benchmarks). */
export function press(
  what: KeyName | { readonly text: string; readonly ctrl?: boolean },
): KeyPress {
  return typeof what === 'string'
    ? { name: what, text: '', ctrl: false }
    : { name: null, text: what.ctrl ? '' : what.text, ctrl: what.ctrl ?? false };
}

export type ListMove = 'up' | 'down' | 'pageUp' | 'pageDown' | 'top' | 'bottom';

/** The list move a key asks for, or null. Typed letters count only when not editing text. */
export function listMove(k: KeyPress): ListMove | null {
  switch (k.name) {
    case 'up':
      return 'up';
    case 'down':
      return 'down';
    case 'pageUp':
      return 'pageUp';
    case 'pageDown':
      return 'pageDown';
    case 'home':
      return 'top';
    case 'end':
      return 'bottom';
    case null:
      break;
    default:
      return null;
  }
  switch (k.text) {
    case 'k':
      return 'up';
    case 'j':
      return 'down';
    case 'g':
      return 'top';
    case 'G':
      return 'bottom';
    case ' ':
      return 'pageDown';
    case 'b':
      return 'pageUp';
  }
  return null;
}

/** Arrow and page keys only: the moves that stay available while a text field has the keys. */
export function arrowMove(k: KeyPress): ListMove | null {
  return k.name === null ? null : listMove(k);
}
