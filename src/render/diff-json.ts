/**
 * `diff --json`. The diff model is plain data already; this fixes its outer shape and writes it
 * so that no character from a dump can act on a terminal the JSON is printed to.
 */
import type { KubeDiff } from '../diff/model.js';

export { stringifyInert } from './json.js';

export const DIFF_JSON_VERSION = 1;

export function diffToJson(diff: KubeDiff): { readonly version: number } & KubeDiff {
  return { version: DIFF_JSON_VERSION, ...diff };
}
