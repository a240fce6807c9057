/**
 * Work the browser does after its first screen, while the user reads it, so that later screens
 * answer at once: the chains a deferred read left unparsed, the model's own warm-up (deferred
 * service ports, which service owns each chain), the tracer's indexes. Each job is small (a
 * slice of chains or of services), and the browser runs one per turn of the event loop: a key
 * typed meanwhile waits for one slice at most.
 */
import type { KubeModel } from '../kube/model.js';
import { prepareTraceJobs } from '../trace/prepare.js';

/** About 10 ms of parsing each on a large dump (two or three rules a chain). */
const CHAINS_PER_JOB = 1500;

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
  jobs.push(...model.warmUpJobs());
  jobs.push(...prepareTraceJobs(ruleset));
  return jobs;
}
