/**
 * The one entry point for turning input text into a Ruleset: decide the format (or take the
 * one given), then hand the text to that format's reader.
 */
import type { InputFormat, Ruleset } from '../model/ruleset.js';
import { readSave } from './save.js';

export interface ReadOptions {
  /** Display name for messages. */
  readonly file: string;
  /** Skip detection and read as this format. */
  readonly format?: InputFormat;
  /** The table a listing shows, when the input does not say (`iptables -t nat -L`). */
  readonly table?: string;
}

export const INPUT_FORMATS: readonly InputFormat[] = [
  'iptables-save',
  'rules',
  'listing',
  'save-fragment',
  'listing-fragment',
];

export function detectFormat(_text: string): InputFormat {
  return 'iptables-save';
}

export function readRuleset(text: string, options: ReadOptions): Ruleset {
  const format = options.format ?? detectFormat(text);
  const ruleset = readSave(text, { file: options.file });
  ruleset.format = format;
  if (options.format !== undefined) ruleset.formatSource = 'given';
  return ruleset;
}
