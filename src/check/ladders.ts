/**
 * Probability ladders that do not balance: a remainder (the steps' effective probabilities do
 * not add up to 1, so some new connections match no endpoint) and steps that can never be taken.
 * The kube view computes the ladders and decides which are off (ladder-remainder and
 * ladder-unreachable warnings); this family adds the step-by-step arithmetic as the explanation.
 */
import type { KubeModel, KubeWarning, Ladder, ServicePort } from '../kube/model.js';
import { makeFinding } from './codes.js';
import { percent, ruleAt } from './describe.js';
import { ruleLocation, NO_LOCATION, type Finding } from './finding.js';

function ladderOf(service: ServicePort, warning: KubeWarning): Ladder | undefined {
  const chain = warning.rules[0]?.chain;
  return service.ladders.find((l) => l.chain.name === chain);
}

function stepLines(ladder: Ladder): string[] {
  return ladder.steps.map((s) => {
    const draw =
      s.conditional === null
        ? 'unconditional'
        : `draws ${s.conditional.toFixed(11)} (kernel threshold ${s.kernelThreshold ?? '?'} / 2^31)`;
    return `${ruleAt(s.rule)} → ${s.endpointChain}: ${draw}, effective ${percent(s.probability)}`;
  });
}

function remainderFinding(service: ServicePort, warning: KubeWarning, ladder: Ladder): Finding {
  const label = service.identity.label;
  return makeFinding(
    'ladder-remainder',
    `${ladder.chain.name} (${label}): the balancing rules add up to ${percent(ladder.total)}, so ${percent(ladder.remainder)} of new connections match no endpoint${ladder.remainderFate !== null ? ` and ${ladder.remainderFate}` : ''}`,
    ruleLocation(ladder.steps[0]?.rule ?? warning.rules[0], label),
    ladder.steps.map((s) => s.rule),
    [
      'each balancing rule draws only among the connections the earlier rules left, so a complete ladder ends with an unconditional rule and sums to exactly 1',
      ...stepLines(ladder),
      `sum ${ladder.total.toFixed(12)}, remainder ${ladder.remainder.toExponential(3)}`,
    ],
  );
}

function unreachableFinding(service: ServicePort, ladder: Ladder): Finding {
  const label = service.identity.label;
  const first = ladder.unreachableSteps[0];
  const unconditional = ladder.steps.find((s) => s.conditional === null && s.nth === null);
  return makeFinding(
    'ladder-unreachable',
    `${ladder.chain.name} (${label}): ${ladder.unreachableSteps.length === 1 ? 'one balancing rule comes' : `${ladder.unreachableSteps.length} balancing rules come`} after an unconditional one and can never be taken`,
    ruleLocation(first.rule, label),
    ladder.unreachableSteps.map((s) => s.rule),
    [
      unconditional !== undefined
        ? `${ruleAt(unconditional.rule)} jumps to ${unconditional.endpointChain} without a statistic match: every connection that reaches it goes there`
        : 'an earlier balancing rule takes every connection that reaches it',
      ...ladder.unreachableSteps.map(
        (s) => `${ruleAt(s.rule)} → ${s.endpointChain} is never reached`,
      ),
    ],
  );
}

export function checkLadders(kube: KubeModel): Finding[] {
  const out: Finding[] = [];
  for (const service of kube.services) {
    for (const w of service.warnings) {
      if (w.code !== 'ladder-remainder' && w.code !== 'ladder-unreachable') continue;
      const ladder = ladderOf(service, w);
      if (ladder === undefined) {
        out.push(
          makeFinding(
            w.code,
            `${service.identity.label}: ${w.message}`,
            w.rules.length > 0
              ? ruleLocation(w.rules[0], service.identity.label)
              : { ...NO_LOCATION, service: service.identity.label },
            w.rules,
          ),
        );
      } else if (w.code === 'ladder-remainder') {
        out.push(remainderFinding(service, w, ladder));
      } else if (ladder.unreachableSteps.length > 0) {
        out.push(unreachableFinding(service, ladder));
      }
    }
  }
  return out;
}
