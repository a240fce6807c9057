/**
 * `k8s-ipt endpoints` as text: for each service port, its addresses and policies, a table of
 * endpoints with each one's effective probability per ladder, counters and observed share, then
 * how the ladders read (printed values, exact shares, remainder) and the statistical verdict.
 */
import type { Endpoint, KubeModel, Ladder, ServicePort } from '../kube/model.js';
import { escapeText } from './escape.js';
import {
  UNKNOWN,
  affinityCell,
  clusterCell,
  describeNode,
  endpointsCell,
  externalCell,
  limitationLines,
  percent,
  policyCell,
  serviceName,
  typeCell,
} from './services-format.js';
import { renderTable, type TableCell } from './table.js';

function primaryLadder(s: ServicePort): Ladder | null {
  const clusterEntry = s.entryRules.find((e) => e.kind === 'cluster-ip');
  return (
    s.ladders.find((l) => l.chain.name === clusterEntry?.target) ??
    s.ladders.find((l) => l.kind === 'cluster') ??
    s.ladders[0] ??
    null
  );
}

function ladderHeader(l: Ladder, primary: Ladder | null): string {
  if (l === primary) return 'PROBABILITY';
  return l.kind === 'local' ? 'LOCAL-ONLY PATH' : 'CLUSTER PATH';
}

function onNode(e: Endpoint): string {
  return e.local === null ? UNKNOWN : e.local ? 'yes' : 'no';
}

function observedCell(e: Endpoint, ladder: Ladder | null): string {
  const path = e.paths.find((p) => p.chain === ladder?.chain.name);
  const o = path?.observed ?? null;
  if (o === null) return '-';
  const share = o.share === null ? '-' : `${o.exact ? '' : '≥'}${percent(o.share)}`;
  return `${share}${o.off ? ' !' : ''}`;
}

function describeLadder(l: Ladder): string[] {
  const lines: string[] = [];
  const printed = l.steps.map((s) => {
    if (s.nth !== null) return `every ${s.nth.every}th`;
    if (s.conditional === null) return 'then the rest';
    const stat = s.rule.matches.find((m) => m.kind === 'statistic');
    return stat !== undefined && stat.mode === 'random'
      ? escapeText(stat.probabilityText)
      : String(s.conditional);
  });
  const kind = l.kind === 'local' ? 'local endpoints' : 'all endpoints';
  if (l.steps.length === 0) {
    lines.push(
      `${escapeText(l.chain.name)} (${kind}): no balancing rules; every new connection ${escapeText(l.remainderFate ?? 'goes on')}`,
    );
    return lines;
  }
  lines.push(
    `${escapeText(l.chain.name)} (${kind}): ${l.steps.length} rule(s), printed probabilities ${printed.join(' → ')}` +
      (l.affinityRules.length > 0
        ? `, after ${l.affinityRules.length} affinity rule(s) for returning clients`
        : ''),
  );
  if (l.steps.length <= 12) {
    lines.push(
      `  effective shares (kernel thresholds S/2^31): ${l.steps.map((s) => s.probability.toFixed(12)).join(', ')}`,
    );
  }
  if (l.remainder > 1e-12) {
    lines.push(
      `  the rules leave ${percent(l.remainder, 6)} unassigned: that share ${escapeText(l.remainderFate ?? 'goes on')}`,
    );
  }
  const t = l.test;
  if (t !== null) {
    const head = `  observed: chi-square goodness of fit on the balancing rules' packet counts (${t.totalPackets} new connections; off when p < ${t.alpha}, run with at least ${t.minExpected} expected per endpoint)`;
    switch (t.verdict) {
      case 'no-traffic':
        lines.push(`${head}: no traffic counted`);
        break;
      case 'too-few-packets':
        lines.push(`${head}: too few packets to test`);
        break;
      default:
        lines.push(
          `${head}: χ² = ${t.statistic.toFixed(2)}, ${t.degreesOfFreedom} df, p = ${t.pValue < 1e-4 ? t.pValue.toExponential(2) : t.pValue.toFixed(4)}: ${t.verdict === 'off' ? 'OFF (endpoints marked ! differ beyond p < alpha/k)' : 'consistent'}`,
        );
    }
  }
  return lines;
}

function header(s: ServicePort): string[] {
  const parts = [`ClusterIP ${clusterCell(s)}`];
  if (s.nodePorts.length > 0) parts.push(`NodePort ${s.nodePorts.join(',')}`);
  const ext = externalCell(s);
  if (ext !== '-') parts.push(`external ${ext}`);
  const lines = [`${serviceName(s)} (${typeCell(s)}): ${parts.join('; ')}`];
  lines.push(
    `policy: ${policyCell(s)}; session affinity: ${affinityCell(s)}; endpoints: ${endpointsCell(s)}` +
      (s.healthCheckNodePort !== null ? `; health check port ${s.healthCheckNodePort}` : ''),
  );
  return lines;
}

export function renderEndpoints(model: KubeModel, services: readonly ServicePort[]): string {
  const out: string[] = [describeNode(model)];
  const withCounters = model.ruleset.hasCounters;
  for (const s of services) {
    out.push('', ...header(s));
    const primary = primaryLadder(s);
    const ladders =
      primary === null ? s.ladders : [primary, ...s.ladders.filter((l) => l !== primary)];
    if (s.endpoints.length > 0) {
      const head = [
        '#',
        'ENDPOINT',
        ...ladders.map((l) => ladderHeader(l, primary)),
        'ON NODE',
        'CHAIN',
      ];
      if (withCounters) head.push('PACKETS', 'OBSERVED');
      const rows = s.endpoints.map((e, i): TableCell[] => {
        const cells: TableCell[] = [
          i + 1,
          e.address === null ? UNKNOWN : escapeText(e.address),
          ...ladders.map((l) => {
            const p = e.paths.find((x) => x.chain === l.chain.name);
            return p === undefined ? '-' : percent(p.probability);
          }),
          onNode(e),
          escapeText(e.chain.name),
        ];
        if (withCounters) {
          cells.push(
            e.counters === null ? '-' : `${e.counters.exact ? '' : '≥'}${e.counters.packets}`,
            observedCell(e, primary),
          );
        }
        return cells;
      });
      const right = [0, ...ladders.map((_, i) => i + 2)];
      if (withCounters) right.push(head.length - 2, head.length - 1);
      out.push(renderTable(head, rows, { alignRight: right }));
    } else if (s.endpointsStatus === 'ipvs') {
      out.push('endpoints are in the kernel IPVS table, not in this dump');
    }
    for (const l of ladders) out.push(...describeLadder(l));
    for (const w of s.warnings) {
      out.push(`${w.severity === 'info' ? 'note' : w.severity}: ${escapeText(w.message)}`);
    }
  }
  // A listing without counters says so among the limitations below already.
  const countersLost = model.ruleset.losses.includes('no-counters');
  if (!withCounters && !countersLost && services.some((s) => s.endpoints.length > 0)) {
    out.push(
      '',
      'note: this input has no counters (save with `iptables-save -c`): observed shares cannot be shown',
    );
  }
  const limits = limitationLines(model);
  if (limits.length > 0) out.push('', ...limits);
  return out.join('\n') + '\n';
}
