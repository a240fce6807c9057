/**
 * Endpoints whose counters show a share of new connections far from the ladder's probability.
 * The kube view runs the statistical test (Ladder.test, ObservedShare.off); this family reports
 * each flagged endpoint with the counts, so a reader can judge the size of the skew.
 */
import type { Endpoint, KubeModel, Ladder, ServicePort } from '../kube/model.js';
import { makeFinding } from './codes.js';
import { percent, ruleAt } from './describe.js';
import { ruleLocation, type Finding } from './finding.js';

function testLine(ladder: Ladder): string {
  const t = ladder.test;
  if (t === null) return '';
  return `${t.method} over ${t.totalPackets} balanced connections: statistic ${t.statistic.toFixed(1)} with ${t.degreesOfFreedom} degrees of freedom, p = ${t.pValue.toExponential(2)} < α = ${t.alpha}`;
}

function ladderTable(ladder: Ladder, endpoints: readonly Endpoint[]): string[] {
  return ladder.steps.map((s) => {
    const ep = endpoints.find((e) => e.chain.name === s.endpointChain);
    const path = ep?.paths.find((p) => p.chain === ladder.chain.name);
    const obs = path?.observed ?? null;
    const who = ep?.address ?? s.endpointChain;
    if (obs === null) return `${ruleAt(s.rule)} ${who}: expected ${percent(s.probability)}`;
    return `${ruleAt(s.rule)} ${who}: ${obs.packets} packets = ${obs.share === null ? '–' : percent(obs.share)}, expected ${percent(obs.expected)}${obs.off ? '  ← off' : ''}`;
  });
}

function forLadder(service: ServicePort, ladder: Ladder): Finding[] {
  const label = service.identity.label;
  const explanation = [
    testLine(ladder),
    ...ladderTable(ladder, service.endpoints),
    'counters count new connections since they were last zeroed; a skew can come from long-lived clients, session affinity hits (counted on the affinity rules, not here) or endpoints added or removed since',
  ];
  const out: Finding[] = [];
  for (const ep of service.endpoints) {
    const path = ep.paths.find((p) => p.chain === ladder.chain.name);
    const obs = path?.observed ?? null;
    if (path === undefined || obs === null || !obs.off) continue;
    out.push(
      makeFinding(
        'endpoint-share-off',
        `${label}: endpoint ${ep.address ?? ep.chain.name} got ${obs.share === null ? '?' : percent(obs.share)} of the new connections balanced by ${ladder.chain.name} (${obs.packets} packets), expected ${percent(obs.expected)}${obs.exact ? '' : ' (counters rounded)'}`,
        ruleLocation(path.step.rule, label),
        [path.step.rule, ...ladder.steps.map((s) => s.rule).filter((r) => r !== path.step.rule)],
        explanation,
      ),
    );
  }
  if (out.length === 0) {
    // The ladder as a whole is off but no single endpoint stands out.
    out.push(
      makeFinding(
        'endpoint-share-off',
        `${label}: the shares of new connections balanced by ${ladder.chain.name} differ from its probabilities, though no single endpoint stands out`,
        ruleLocation(ladder.steps[0].rule, label),
        ladder.steps.map((s) => s.rule),
        explanation,
      ),
    );
  }
  return out;
}

export function checkObservedShares(kube: KubeModel): Finding[] {
  const out: Finding[] = [];
  for (const service of kube.services) {
    for (const ladder of service.ladders) {
      if (ladder.test?.verdict === 'off' && ladder.steps.length > 0)
        out.push(...forLadder(service, ladder));
    }
  }
  return out;
}
