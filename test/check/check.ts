/** Running the checks on text or fixtures, for the tests of test/check. */
import type { Finding, FindingCode } from '../../src/check/finding.js';
import { runChecks } from '../../src/check/run.js';
import { buildKubeModel } from '../../src/kube/model.js';
import { loadFixture, parseText } from '../helpers.js';

export function checkText(text: string): Finding[] {
  const ruleset = parseText(text);
  return runChecks(ruleset, buildKubeModel(ruleset));
}

export function checkFixture(name: string): Finding[] {
  const ruleset = loadFixture(name);
  return runChecks(ruleset, buildKubeModel(ruleset));
}

export function codes(findings: readonly Finding[]): FindingCode[] {
  return findings.map((f) => f.code);
}

export function only(findings: readonly Finding[], code: FindingCode): Finding[] {
  return findings.filter((f) => f.code === code);
}
