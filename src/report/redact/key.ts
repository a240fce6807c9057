/**
 * The redaction key. With `--redact-key K` the pseudonyms depend only on K, so reports of
 * several nodes redacted with the same key use the same pseudonyms. Without it the key is a
 * digest of the dump itself: the same dump always gives the same report, and a reader who does
 * not have the dump cannot recompute the key to reverse the pseudonyms (a fixed built-in key
 * would let anyone undo the address mapping, which is keyed, not secret by construction).
 */
import { createHash } from 'node:crypto';
import type { Ruleset } from '../../model/ruleset.js';
import { printRuleset } from '../../render/save.js';

export function redactionKey(ruleset: Ruleset, given: string | undefined): Buffer {
  const hash = createHash('sha256');
  if (given !== undefined) return hash.update('k8s-ipt redact key\0').update(given).digest();
  return hash
    .update('k8s-ipt dump key\0')
    .update(printRuleset(ruleset, { counters: true }))
    .digest();
}
