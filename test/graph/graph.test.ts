import { describe, expect, it } from 'vitest';
import { buildChainGraph } from '../../src/graph/build.js';
import type { ChainGraph } from '../../src/graph/model.js';
import { buildKubeModel, findServicePorts } from '../../src/kube/model.js';
import type { KubeModel } from '../../src/kube/model.js';
import { loadFixture } from '../helpers.js';

const calico = (): KubeModel => buildKubeModel(loadFixture('k8s-1.28-etp-local-calico.save'));

function names(graph: ChainGraph): string[] {
  return graph.nodes.map((n) => n.id);
}

describe('chain graph of one service', () => {
  const model = calico();
  const web = findServicePorts(model, 'default/web:http');
  const graph = buildChainGraph(model, { tables: ['nat'], services: web });

  it('holds the service chains, its endpoints and the path from the built-in chains', () => {
    expect(web).toHaveLength(1);
    expect(names(graph).sort()).toEqual(
      [
        'nat/KUBE-SVC-CDGGSHYLG3RE2FKL',
        'nat/KUBE-EXT-CDGGSHYLG3RE2FKL',
        'nat/KUBE-SEP-AFGSLHOD2HFNCBX4',
        'nat/KUBE-SEP-2RIJ5GIYXEFH6G4D',
        'nat/KUBE-SEP-RBX5X5TOEG5GD3RO',
        'nat/KUBE-SERVICES',
        'nat/KUBE-NODEPORTS',
        'nat/KUBE-MARK-MASQ',
        'nat/PREROUTING',
        'nat/OUTPUT',
      ].sort(),
    );
    expect(graph.services).toEqual(['default/web:http']);
  });

  it('leaves out the other services in the shared chains', () => {
    const fromServices = graph.edges.filter((e) => e.from === 'nat/KUBE-SERVICES').map((e) => e.to);
    expect(fromServices.sort()).toEqual(
      [
        'nat/KUBE-EXT-CDGGSHYLG3RE2FKL',
        'nat/KUBE-NODEPORTS',
        'nat/KUBE-SVC-CDGGSHYLG3RE2FKL',
      ].sort(),
    );
    // The calico chains hang off PREROUTING too, but lead to no service.
    expect(names(graph).some((n) => n.includes('cali'))).toBe(false);
  });

  it('colours chains by their Kubernetes role', () => {
    const kind = (id: string): string | undefined => graph.nodes.find((n) => n.id === id)?.kind;
    expect(kind('nat/KUBE-SVC-CDGGSHYLG3RE2FKL')).toBe('svc');
    expect(kind('nat/KUBE-EXT-CDGGSHYLG3RE2FKL')).toBe('ext');
    expect(kind('nat/KUBE-SEP-AFGSLHOD2HFNCBX4')).toBe('sep');
    expect(kind('nat/KUBE-MARK-MASQ')).toBe('mark-masq');
    expect(kind('nat/KUBE-SERVICES')).toBe('services');
    expect(kind('nat/PREROUTING')).toBe('builtin');
    const sep = graph.nodes.find((n) => n.id === 'nat/KUBE-SEP-RBX5X5TOEG5GD3RO');
    expect(sep).toMatchObject({ endpoint: '10.244.3.9:8080', service: 'default/web:http' });
  });

  it('labels the ladder edges with the probability and the share of new connections', () => {
    const ladder = graph.edges.filter(
      (e) => e.from === 'nat/KUBE-SVC-CDGGSHYLG3RE2FKL' && e.to.includes('SEP'),
    );
    expect(ladder.map((e) => e.probability)).toEqual([
      715827883 / 2 ** 31, // 0.33333333349 as the kernel stores it
      0.5,
      null,
    ]);
    const shares = ladder.map((e) => e.share ?? 0);
    for (const s of shares) expect(s).toBeCloseTo(1 / 3, 9);
    expect(shares.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    const entry = graph.edges.find(
      (e) => e.from === 'nat/KUBE-SERVICES' && e.to === 'nat/KUBE-SVC-CDGGSHYLG3RE2FKL',
    );
    expect(entry).toMatchObject({
      match: 'tcp dst 10.96.0.10 dport 80',
      comment: 'default/web:http cluster IP',
    });
  });

  it('draws a no-endpoint service through its filter-table REJECT rules', () => {
    const orphan = findServicePorts(model, 'default/orphan');
    const natOnly = buildChainGraph(model, { tables: ['nat'], services: orphan });
    expect(natOnly.nodes).toEqual([]);
    const both = buildChainGraph(model, { tables: ['nat', 'filter'], services: orphan });
    const rejects = both.edges.filter((e) => e.to === 'filter/#REJECT');
    expect(rejects.map((e) => e.from).sort()).toEqual([
      'filter/KUBE-EXTERNAL-SERVICES',
      'filter/KUBE-SERVICES',
    ]);
    expect(both.nodes.find((n) => n.id === 'filter/#REJECT')?.kind).toBe('verdict');
    expect(names(both)).toContain('filter/INPUT');
  });
});

describe('whole chain graph', () => {
  const model = calico();

  it('has every chain of the table as a node and every jump as an edge', () => {
    const graph = buildChainGraph(model, { tables: ['nat'], services: null });
    const nat = model.ruleset.table('nat');
    expect(nat).toBeDefined();
    const chains = nat?.chains ?? [];
    expect(graph.nodes.map((n) => n.name).sort()).toEqual(chains.map((c) => c.name).sort());
    const jumps = chains.flatMap((c) => c.rules).filter((r) => r.jumpChain !== null);
    expect(graph.edges).toHaveLength(jumps.length);
    expect(graph.tables).toEqual(['nat']);
  });

  it('covers the chosen tables only', () => {
    const both = buildChainGraph(model, { tables: ['nat', 'filter'], services: null });
    expect([...both.tables].sort()).toEqual(['filter', 'nat']);
    const all = buildChainGraph(model, { tables: 'all', services: null });
    expect([...all.tables].sort()).toEqual(['filter', 'mangle', 'nat']);
  });
});
