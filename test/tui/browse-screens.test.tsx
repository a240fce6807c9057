import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/check/finding.js';
import { runChecks } from '../../src/check/run.js';
import {
  fixtureModel,
  KEY,
  lineWith,
  MODERN,
  renderBrowser,
  selectedLine,
  type BrowserHarness,
} from './harness.js';

let ui: BrowserHarness | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

function open(): BrowserHarness {
  ui = renderBrowser(fixtureModel(MODERN));
  return ui;
}

/** Moves the selection down to the service `label` in the unfiltered list. */
async function selectService(h: BrowserHarness, label: string): Promise<void> {
  for (let i = 0; i < 20 && !(selectedLine(h.frame()) ?? '').includes(label); i++)
    await h.press('j');
  expect(selectedLine(h.frame())).toContain(label);
}

describe('browse: service list', () => {
  it('lists every service port with type, ClusterIP, NodePort, endpoint count and a warning mark', () => {
    const h = open();
    const f = h.frame();
    expect(f).toContain('14 service ports');
    expect(lineWith(f, 'default/web:http')).toMatch(
      /default\/web:http\s+NodePort\s+10\.96\.0\.10\s+80\/tcp\s+30080\s+3$/,
    );
    // edge-np has no local endpoints (a warning); web has none.
    expect(lineWith(f, 'default/edge-np:http')).toMatch(/^\s+! default\/edge-np/);
    expect(lineWith(f, 'default/web:http')).toMatch(/^\s{4}default\/web/);
    expect(selectedLine(f)).toContain('default/kubernetes:https');
  });

  it('moves with arrows, j/k, g/G and pages', async () => {
    const h = open();
    await h.press('j', KEY.down);
    expect(selectedLine(h.frame())).toContain('kube-dns:dns-tcp');
    await h.press('k');
    expect(selectedLine(h.frame())).toContain('kube-dns:dns ');
    await h.press('G');
    expect(selectedLine(h.frame())).toContain('default/itp-remote:http');
    await h.press('g');
    expect(selectedLine(h.frame())).toContain('default/kubernetes:https');
    await h.press(KEY.pageDown);
    expect(selectedLine(h.frame())).toContain('default/itp-remote:http');
    await h.press(KEY.up, KEY.pageUp);
    expect(selectedLine(h.frame())).toContain('default/kubernetes:https');
  });

  it('filters as you type; letters are text while filtering; Esc clears', async () => {
    const h = open();
    await h.press('/');
    await h.type('dns');
    let f = h.frame();
    expect(f).toContain('3 of 14 service ports');
    expect(f).not.toContain('default/web:http');
    // `q` is typed into the filter rather than quitting.
    await h.type('q');
    f = h.frame();
    expect(f).toContain('0 of 14 service ports');
    expect(f).toContain('nothing matches the filter');
    expect(h.states.at(-1)?.quit).toBe(false);
    await h.press(KEY.backspace, KEY.enter);
    expect(h.frame()).toContain('filter: dns');
    await h.press('j');
    expect(selectedLine(h.frame())).toContain('kube-system/kube-dns:dns-tcp');
    await h.press(KEY.escape);
    expect(h.frame()).toContain('14 service ports');
    expect(h.frame()).not.toContain('of 14');
  });

  it('matches every word of the filter against name, type and addresses', async () => {
    const h = open();
    await h.press('/');
    await h.type('loadbalancer 10.96.23');
    expect(h.frame()).toContain('1 of 14 service ports');
    expect(selectedLine(h.frame())).toContain('default/shop-lb:http');
  });
});

describe('browse: service, chains and back', () => {
  it('shows default/web:http with three endpoints at 33.3%, then follows its chains and comes back', async () => {
    const h = open();
    await selectService(h, 'default/web:http');
    await h.press(KEY.enter);
    let f = h.frame();
    expect(f).toMatch(/services › default\/web:http$/m);
    expect(lineWith(f, 'cluster IP')).toContain('10.96.0.10:80');
    expect(lineWith(f, 'affinity')).toContain('None');
    expect(lineWith(f, 'policies')).toContain('external Cluster, internal Cluster');
    const endpoints = f.split('\n').filter((l) => /^\s*.? 10\.244\.\d+\.\d+:8080/.test(l));
    expect(endpoints).toHaveLength(3);
    for (const l of endpoints) expect(l).toMatch(/████········\s+33\.3%/);
    // Observed counters and their share (the fixture has counters).
    expect(lineWith(f, '10.244.1.5:8080')).toMatch(/\s334\s+33\.4%/);

    // The first row is the KUBE-SVC chain: Enter opens it.
    expect(selectedLine(f)).toContain('→ KUBE-SVC-CDGGSHYLG3RE2FKL');
    await h.press(KEY.enter);
    f = h.frame();
    expect(f).toContain('nat KUBE-SVC-CDGGSHYLG3RE2FKL · 4 rules · svc of default/web:http');
    expect(f).toMatch(/default\/web:http › KUBE-SVC-CDGGSHYLG3RE2FKL$/m);
    expect(lineWith(f, 'KUBE-SEP-AFGSLHOD2HFNCBX4')).toMatch(
      /^\s+2\s+334\s+20040 KUBE-SEP-AFGSLHOD2HFNCBX4/,
    );

    // Follow the jump of rule 2 to its KUBE-SEP chain.
    await h.press('j', KEY.enter);
    f = h.frame();
    expect(f).toContain('nat KUBE-SEP-AFGSLHOD2HFNCBX4 · 2 rules');
    expect(f).toMatch(/› KUBE-SEP-AFGSLHOD2HFNCBX4$/m);
    expect(lineWith(f, 'DNAT 10.244.1.5:8080')).toContain('--comment "default/web:http"');

    // A rule that jumps nowhere (the DNAT) says so.
    await h.press('j', KEY.enter);
    expect(h.frame()).toContain('this rule does not jump to a chain');

    // Esc goes back to the KUBE-SVC chain, with its selection kept; Backspace to the service.
    await h.press(KEY.escape);
    f = h.frame();
    expect(f).toContain('nat KUBE-SVC-CDGGSHYLG3RE2FKL · 4 rules');
    expect(selectedLine(f)).toContain('KUBE-SEP-AFGSLHOD2HFNCBX4');
    await h.press(KEY.backspace);
    expect(h.frame()).toMatch(/services › default\/web:http$/m);
    await h.press(KEY.escape);
    expect(h.frame()).toContain('14 service ports');
    // Esc on the first screen stays there.
    await h.press(KEY.escape);
    expect(h.frame()).toContain('14 service ports');
  });

  it('opens an endpoint’s KUBE-SEP chain from its row, and `c` opens the service chain', async () => {
    const h = open();
    await selectService(h, 'default/web:http');
    await h.press(KEY.enter, 'G', KEY.enter);
    expect(h.frame()).toContain('nat KUBE-SEP-RBX5X5TOEG5GD3RO');
    await h.press(KEY.escape, 'c');
    expect(h.frame()).toContain('nat KUBE-SVC-CDGGSHYLG3RE2FKL');
    // `s` on a service chain goes to its service.
    await h.press('s');
    expect(h.frame()).toMatch(/KUBE-SVC-CDGGSHYLG3RE2FKL › default\/web:http$/m);
  });

  it('shows the rules behind the selection as iptables-save prints them', async () => {
    const h = open();
    await selectService(h, 'default/web:http');
    await h.press(KEY.enter, KEY.enter, 'r');
    const f = h.frame();
    expect(f).toContain(
      'nat KUBE-SVC-CDGGSHYLG3RE2FKL: 4 rules, printed as iptables-save prints them',
    );
    expect(f).toContain('nat KUBE-SVC-CDGGSHYLG3RE2FKL #2, line 319  [334:20040]');
    // Long rules wrap; put the wrapped pieces back together.
    const text = f
      .split('\n')
      .filter((l) => l.startsWith('  '))
      .map((l) => l.slice(2))
      .join('');
    expect(text).toContain(
      '-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.1.5:8080" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-AFGSLHOD2HFNCBX4',
    );
  });

  it('lists every chain and opens one', async () => {
    const h = open();
    await h.press('c');
    expect(h.frame()).toMatch(/\d+ chains/);
    await h.press('/');
    await h.type('kube-postrouting');
    await h.press(KEY.enter, KEY.enter);
    expect(h.frame()).toContain('nat KUBE-POSTROUTING');
    expect(h.frame()).toContain('MASQUERADE');
  });

  it('shows the keys on ?, and quits on q', async () => {
    const h = open();
    await h.press('?');
    expect(h.frame()).toContain('back to the previous screen');
    await h.press('G');
    expect(h.frame()).toContain('follow the selected rule’s jump to its chain');
    await h.press(KEY.escape);
    expect(h.frame()).toContain('14 service ports');
    await h.press('q');
    expect(h.states.at(-1)?.quit).toBe(true);
  });
});

describe('browse: trace', () => {
  it('traces to the selected service and shows the outcome table and the path', async () => {
    const h = open();
    await selectService(h, 'default/web:http');
    await h.press(KEY.enter, 't');
    let f = h.frame();
    expect(lineWith(f, 'destination')).toContain('10.96.0.10:80');
    expect(lineWith(f, 'from')).toContain('[pod]');
    expect(lineWith(f, 'protocol')).toContain('[tcp]');
    await h.press(KEY.enter);
    f = h.frame();
    expect(f).toContain('3 outcomes for');
    const outcomes = f.split('\n').filter((l) => /33\.3%\s+DNAT/.test(l));
    expect(outcomes).toHaveLength(3);
    expect(outcomes[0]).toContain('default/web:http → 10.244.1.5:8080');
    expect(f).toContain('nat KUBE-SVC-CDGGSHYLG3RE2FKL #2 → KUBE-SEP-AFGSLHOD2HFNCBX4');
    // The next outcome's path.
    await h.press('j');
    expect(h.frame()).toContain('nat KUBE-SVC-CDGGSHYLG3RE2FKL #3 → KUBE-SEP-2RIJ5GIYXEFH6G4D');
    // Enter opens the chain of the rule that decided the outcome, on that rule.
    await h.press(KEY.enter);
    f = h.frame();
    expect(f).toContain('nat KUBE-SEP-2RIJ5GIYXEFH6G4D');
    expect(selectedLine(f)).toContain('DNAT 10.244.2.7:8080');
  });

  it('takes a typed destination, origin and protocol, and says what is wrong with bad input', async () => {
    const h = open();
    await h.press('t');
    expect(lineWith(h.frame(), 'destination')).toContain('10.96.0.1:443');
    // Letters that cannot be part of an address are not typed; `q` does not quit here.
    for (let i = 0; i < 13; i++) await h.press(KEY.backspace);
    await h.type('q10.96.0.53');
    expect(h.states.at(-1)?.quit).toBe(false);
    await h.press(KEY.enter);
    expect(h.frame()).toContain('10.96.0.53: add the port');
    await h.type(':53');
    await h.press(KEY.tab, KEY.right);
    expect(lineWith(h.frame(), 'from')).toContain('[node]');
    await h.press(KEY.tab, KEY.right);
    expect(lineWith(h.frame(), 'protocol')).toContain('[udp]');
    await h.press(KEY.enter);
    const f = h.frame();
    expect(f).toMatch(/outcomes? for \S+ → 10\.96\.0\.53:53\/udp/);
    expect(f).toMatch(/50\.0%\s+DNAT\s+10\.244\.0\.4:53/);
    // Assumptions instead of the path.
    await h.press('a');
    expect(h.frame()).toContain('assumptions (a: back to the path)');
  });

  it('says so when there is no tracer', async () => {
    ui = renderBrowser(fixtureModel(MODERN), null);
    await ui.press('t', KEY.enter);
    expect(ui.frame()).toContain('the packet tracer is not available');
  });
});

describe('browse: findings of check', () => {
  it('marks services and rules with findings, and says what they are', async () => {
    const model = fixtureModel(MODERN);
    const findings = runChecks(model.ruleset, model);
    const web = model.services.find((s) => s.identity.label === 'default/web:http');
    if (web === undefined) throw new Error('no default/web:http in the fixture');
    // A finding of our own on a service without warnings: the mark follows the findings.
    const extra: Finding = {
      code: 'endpoint-share-off',
      severity: 'warning',
      message: 'made up for the test',
      explanation: [],
      location: {
        service: 'default/web:http',
        table: null,
        chain: null,
        ruleNumber: null,
        line: null,
      },
      rules: [],
    };
    const h = renderBrowser(model, null, [...findings, extra]);
    ui = h;
    expect(lineWith(h.frame(), 'default/web:http')).toMatch(/^\s+! default\/web:http/);
    expect(lineWith(h.frame(), 'default/orphan:http')).toMatch(/^\s+! default\/orphan:http/);
    await selectService(h, 'default/orphan:http');
    await h.press(KEY.enter);
    expect(lineWith(h.frame(), 'error')).toContain('default/orphan:http has no endpoints');

    // A rule `check` proves redundant: marked `i` in its chain, the finding below the rules.
    await h.press(KEY.escape, 'c', '/');
    await h.type('cali-fw-cali3c6e1f0a9b2');
    await h.press(KEY.enter, KEY.enter);
    expect(lineWith(h.frame(), 'filter cali-fw-cali3c6e1f0a9b2')).toBeDefined();
    for (let i = 0; i < 7; i++) await h.press('j');
    const f = h.frame();
    expect(selectedLine(f)).toMatch(/^›i\s+8\s/);
    expect(f).toMatch(/^info: filter cali-fw-cali3c6e1f0a9b2 rule 8 \(line 101\) can never match/m);
  });
});
