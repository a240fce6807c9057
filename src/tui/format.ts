/**
 * Small text formats shared by the screens: percentages, probability bars, compact counts,
 * fixed-width cells. They take values, never dump text; callers escape dump strings first.
 */
import type { Counters } from '../model/rule.js';

/** `33.3%`; `<0.1%` for a small non-zero share, so it does not read as zero. */
export function percent(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '?';
  if (p > 0 && p < 0.0005) return '<0.1%';
  return `${(p * 100).toFixed(1)}%`;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar `width` cells wide, filled to `p` in eighths of a cell; the rest is `·`. */
export function probabilityBar(p: number | null, width: number): string {
  if (width <= 0) return '';
  if (p === null || !Number.isFinite(p)) return '?'.padEnd(width, ' ');
  const eighths = Math.round(Math.min(1, Math.max(0, p)) * width * 8);
  const full = Math.floor(eighths / 8);
  const part = EIGHTHS[eighths % 8];
  const filled = '█'.repeat(full) + part;
  return filled + '·'.repeat(Math.max(0, width - full - (part === '' ? 0 : 1)));
}

/** `12345`, `123.4K`, `5.6M`, `7.8G`: at most 6 characters for any count. */
export function compactCount(n: number): string {
  if (n < 100_000) return String(n);
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) {
    if (n >= size) {
      const v = n / size;
      return `${v >= 100 ? Math.round(v) : v.toFixed(1)}${unit}`;
    }
  }
  return String(n);
}

/** Packet count of a rule; a leading `≥` marks a listing's rounded figure (a lower bound). */
export function packetsText(c: Counters | null): string {
  if (c === null) return '-';
  return `${c.exact ? '' : '≥'}${compactCount(c.packets)}`;
}

export function bytesText(c: Counters | null): string {
  if (c === null) return '-';
  return `${c.exact ? '' : '≥'}${compactCount(c.bytes)}`;
}

/** Pads or cuts to exactly `width` characters; a cut ends in `…`. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text.padEnd(width, ' ');
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
}

/** Right-aligned variant of fit, for numbers. */
export function fitRight(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text.padStart(width, ' ');
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
}

/**
 * Cuts text that cannot fit anyway before ink measures it: ink's truncation measures the
 * display width of the whole string, character by character, which costs more than drawing a
 * short row. One character more than fits is kept, so ink still ends the row with `…`.
 */
export function clip(text: string, width: number): string {
  return text.length > width + 1 ? text.slice(0, width + 1) : text;
}

/** Keeps the end of a long path (breadcrumbs): the most recent steps matter most. */
export function keepEnd(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return width === 1 ? '…' : `…${text.slice(text.length - width + 1)}`;
}

/** Splits text into lines of at most `width` characters (hard wrap: rule text has no spaces to spare). */
export function wrapHard(text: string, width: number): string[] {
  const w = Math.max(1, width);
  if (text.length <= w) return [text];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += w) out.push(text.slice(i, i + w));
  return out;
}
