/**
 * Work the browser does after its first screen, while the user reads it, so that later screens
 * answer at once: the chains a deferred read left unparsed, the service ports a deferred model
 * left unbuilt, the tracer's indexes, the chain roles. Each job is small (a slice of chains or
 * of services), and the browser runs one per turn of the event loop: a key typed meanwhile waits
 * for one slice at most.
 */
import type { KubeModel } from '../kube/model.js';
import { prepareTrace } from '../trace/prepare.js';

/** About 10 ms of parsing each on a large dump (two or three rules a chain). */
const CHAINS_PER_JOB = 1500;
/** About 15 ms each: a ladder and its endpoints per service port. */
const SERVICES_PER_JOB = 150;

export function warmUpJobs(model: KubeModel): Array<() => void> {
  const jobs: Array<() => void> = [];
  const { ruleset } = model;
  if (ruleset.deferredChainCount > 0) {
    const chains = ruleset.tables.flatMap((t) => t.chains);
    for (let from = 0; from < chains.length; from += CHAINS_PER_JOB) {
      jobs.push(() => {
        const to = Math.min(from + CHAINS_PER_JOB, chains.length);
        for (let i = from; i < to; i++) void chains[i].rules;
      });
    }
  }
  const services = model.services;
  for (let from = 0; from < services.length; from += SERVICES_PER_JOB) {
    jobs.push(() => {
      const to = Math.min(from + SERVICES_PER_JOB, services.length);
      for (let i = from; i < to; i++) void services[i].endpoints;
    });
  }
  jobs.push(
    () => void prepareTrace(ruleset),
    () => void model.chainRoles,
  );
  return jobs;
}
