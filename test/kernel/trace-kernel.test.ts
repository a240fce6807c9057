/**
 * The tracer against the real kernel. For each iptables backend (nft, legacy) and kube-proxy era
 * (1.23: KUBE-XLB / KUBE-FW + KUBE-MARK-DROP; 1.28: KUBE-EXT / KUBE-SVL / KUBE-PROXY-FIREWALL), a
 * lab of network namespaces loads the generator's rules with the real iptables-restore, sends
 * new flows, and compares what conntrack and ICMP say happened with what `traceFlow` predicts.
 * Skips (with a printed reason) without root, `ip netns`, iptables or conntrack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findServicePortsByAddress } from '../../src/kube/lookup.js';
import { buildKubeModel } from '../../src/kube/build.js';
import type { Ruleset } from '../../src/model/ruleset.js';
import { parseText } from '../helpers.js';
import {
  chi2Critical,
  chiSquare,
  compare,
  labTraceOptions,
  senderNamespace,
  sendAndObserve,
  traceCase,
  type CaseFigures,
  type Observed,
} from '../lab/differential.js';
import {
  AFFINITY_CLIENTS,
  LAB_CASES,
  LOCAL_LB_IP,
  ALLOWED_CLIENT,
  BLOCKED_CLIENT,
  labRestoreInput,
  phantomEndpoints,
  HAIRPIN_POD,
  CLIENT_POD,
  type Era,
  type LabCase,
} from '../lab/lab-cluster.js';
import {
  labUnavailableReason,
  liveNamespaces,
  NetnsLab,
  sctpUnavailableReason,
  type Backend,
} from '../lab/netns-lab.js';

const BACKENDS: readonly Backend[] = ['nft', 'legacy'];
const ERAS: readonly Era[] = ['1.23', '1.28'];

const unavailable = labUnavailableReason(BACKENDS);
if (unavailable !== null) console.log(`[trace kernel tests] skipped: ${unavailable}`);
const noSctp = unavailable === null ? sctpUnavailableReason() : null;
if (noSctp !== null) console.log(`[trace kernel tests] SCTP case skipped: ${noSctp}`);

const figures: string[] = [];

function record(backend: Backend, era: Era, f: CaseFigures): void {
  const chi =
    f.chi2 === null
      ? 'chi2 -'
      : `chi2 ${f.chi2.toFixed(2)} (df ${f.df}, crit ${chi2Critical(f.df)})`;
  const kube = f.kubeChi2 === null ? '' : `, kube-model chi2 ${f.kubeChi2.toFixed(2)}`;
  figures.push(
    `${f.problems.length === 0 ? 'PASS' : 'FAIL'} ${backend.padEnd(6)} ${era} ${f.name}: ${f.flows} flows → ${f.outcomes}; ${chi}${kube}` +
      f.problems.map((p) => `\n      ! ${p}`).join(''),
  );
}

/** The Kubernetes model's endpoint probabilities against the kernel's distribution. */
function kubeChiSquare(ruleset: Ruleset, c: LabCase, counts: Map<string, number>): number | null {
  const model = buildKubeModel(ruleset);
  const service = findServicePortsByAddress(model, c.destination, c.port, c.protocol)[0];
  if (service === undefined)
    throw new Error(`kube model has no service at ${c.destination}:${c.port}`);
  const endpoints = service.endpoints.filter((e) => e.address !== null && (e.probability ?? 0) > 0);
  if (endpoints.length < 2) return null;
  const observed = endpoints.map((e) => counts.get(`DNAT ${e.address}`) ?? 0);
  return chiSquare(
    observed,
    endpoints.map((e) => e.probability ?? 0),
  );
}

describe.skipIf(unavailable !== null)('trace against the kernel', () => {
  afterAll(() => {
    console.log(`[trace kernel tests] figures:\n${figures.join('\n')}`);
    expect(liveNamespaces()).toEqual([]);
  });

  for (const backend of BACKENDS)
    for (const era of ERAS)
      describe(`iptables-${backend}, kube-proxy ${era}`, () => {
        let lab: NetnsLab | null = null;
        let ruleset: Ruleset;
        const options = labTraceOptions([LOCAL_LB_IP]);

        beforeAll(async () => {
          lab = NetnsLab.create(backend, {
            clientAddresses: [ALLOWED_CLIENT, BLOCKED_CLIENT],
            localAddresses: [LOCAL_LB_IP],
          });
          lab.addPod(CLIENT_POD, AFFINITY_CLIENTS);
          lab.addPod(HAIRPIN_POD);
          lab.addPhantomEndpoints(phantomEndpoints());
          lab.load(await labRestoreInput(era));
          ruleset = parseText(lab.save(), `lab-${backend}-${era}.save`);
        });

        afterAll(() => {
          lab?.destroy();
          lab = null;
        });

        for (const c of LAB_CASES) {
          const skip = c.protocol === 'sctp' && noSctp !== null;
          it.skipIf(skip)(
            c.name,
            () => {
              if (lab === null) throw new Error('lab not built');
              lab.reset();
              const ns = senderNamespace(lab, c);
              const { observed } = sendAndObserve(lab, c, ns, [c.source], c.flows);
              const result = traceCase(ruleset, c, c.source, options);
              const { problems, chi2, df, counts } = compare(result, observed, c.source);
              const kubeChi2 = c.kubeCheck ? kubeChiSquare(ruleset, c, counts) : null;
              if (kubeChi2 !== null && kubeChi2 > chi2Critical(Math.max(1, counts.size - 1)))
                problems.push(
                  `kube model probabilities differ from the kernel: chi-square ${kubeChi2.toFixed(2)}`,
                );
              const summary = [...counts]
                .map(([k, n]) => `${k} ×${n}${snatNote(k, observed)}`)
                .join(', ');
              record(backend, era, {
                name: c.name,
                flows: observed.length,
                outcomes: summary,
                chi2,
                df,
                kubeChi2,
                problems,
              });
              expect(problems).toEqual([]);
            },
            90_000,
          );
        }

        it('session affinity: new clients spread, returning clients stick', () => {
          if (lab === null) throw new Error('lab not built');
          lab.reset();
          const c: LabCase = {
            name: 'session affinity',
            sender: 'client-pod',
            origin: 'pod',
            protocol: 'udp',
            source: AFFINITY_CLIENTS[0],
            destination: '10.96.1.8',
            port: 80,
            flows: AFFINITY_CLIENTS.length,
          };
          const ns = senderNamespace(lab, c);
          // First flow of each client: no affinity entry yet, so the ladder decides.
          const first = sendAndObserve(lab, c, ns, AFFINITY_CLIENTS, AFFINITY_CLIENTS.length);
          const fresh = traceCase(ruleset, c, AFFINITY_CLIENTS[0], options);
          const { problems, chi2, df, counts } = compare(
            fresh,
            first.observed,
            AFFINITY_CLIENTS[0],
          );
          // Then 4 more flows per client: each must go where its first one went, as the engine
          // says for a returning client (--affinity-hit).
          const again = sendAndObserve(lab, c, ns, AFFINITY_CLIENTS, AFFINITY_CLIENTS.length * 4);
          const firstDestination = new Map(
            first.flows.map((f, i) => [f.source, first.observed[i].destination]),
          );
          let stuck = 0;
          const checkedHits = new Set<string>();
          again.flows.forEach((f, i) => {
            const want = firstDestination.get(f.source) ?? null;
            const got = again.observed[i].destination;
            if (got === want) stuck++;
            else problems.push(`client ${f.source}: first flow to ${want}, a later one to ${got}`);
            if (want !== null && !checkedHits.has(want)) {
              checkedHits.add(want);
              const hit = traceFlowWithHit(ruleset, c, f.source, want, options);
              if (hit !== want) problems.push(`--affinity-hit ${want}: engine says ${hit}`);
            }
          });
          record(backend, era, {
            name: `session affinity (${AFFINITY_CLIENTS.length} clients; ${stuck}/${again.flows.length} later flows stuck)`,
            flows: first.flows.length + again.flows.length,
            outcomes: [...counts].map(([k, n]) => `${k} ×${n}`).join(', '),
            chi2,
            df,
            kubeChi2: null,
            problems,
          });
          expect(problems.slice(0, 10)).toEqual([]);
        }, 90_000);
      });
});

/** ` (SNAT a.b.c.d)` when the kernel changed the source of the flows that ended as `key`. */
function snatNote(key: string, observed: readonly Observed[]): string {
  const o = observed.find((x) => `${x.verdict} ${x.destination ?? '-'}` === key);
  return o?.snat ? ` (SNAT ${o.snat})` : '';
}

function traceFlowWithHit(
  ruleset: Ruleset,
  c: LabCase,
  source: string,
  endpoint: string,
  options: ReturnType<typeof labTraceOptions>,
): string {
  const r = traceCase(ruleset, c, source, { ...options, affinityHit: endpoint });
  const o = r.outcomes;
  if (o.length !== 1 || o[0].destination === null) return o.map((x) => x.verdict).join('/');
  return `${o[0].destination.address}:${o[0].destination.port}`;
}
