/**
 * Every fixture era and shape (IPv6, IPVS leftovers, comment-less large-cluster mode, listings)
 * can be browsed: the first screen, a service, its chain, a trace, the raw view and the chain
 * list all draw without an error, and the endpoints' probabilities add up on screen.
 */
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { percent } from '../../src/tui/format.js';
import { FIXTURES } from '../helpers.js';
import { fixtureModel, KEY, renderBrowser, selectedLine, type BrowserHarness } from './harness.js';

const DUMPS = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.save') && !f.includes('.legacy.'))
  .sort();
const LISTINGS = ['listings/k8s-1.28-etp-local-calico.nft.nat.nvxL.txt'];

let ui: BrowserHarness | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

describe('browse: every fixture', () => {
  it('finds the fixtures', () => {
    expect(DUMPS.length).toBeGreaterThanOrEqual(9);
  });

  it.each([...DUMPS, ...LISTINGS])('%s', async (name) => {
    const model = fixtureModel(name);
    const h = renderBrowser(model);
    ui = h;
    expect(h.frame()).toContain(`${model.services.length} service ports`);
    if (model.services.length === 0) {
      expect(h.frame()).toContain('no service ports in this dump');
    } else {
      await h.press(KEY.enter);
      const service = model.services[0];
      expect(h.frame()).toContain(service.identity.label);
      // Each endpoint row shows the probability the service view computed for it.
      const frame = h.frame();
      for (const ep of service.endpoints.slice(0, 5)) {
        const row = frame.split('\n').find((l) => l.includes(ep.chain.name));
        expect(row, `row of ${ep.chain.name}`).toBeDefined();
        const shown = /[█▏▎▍▌▋▊▉·?]+\s+(\S+%|\?)/.exec(row ?? '')?.[1];
        expect(shown).toBe(ep.probability === null ? '?' : percent(ep.probability));
      }
      await h.press(KEY.enter);
      expect(h.frame()).not.toContain('is not in the dump');
      await h.press('r', KEY.escape, KEY.escape, 't', KEY.enter);
      // A trace, or (no address to send to, e.g. no ClusterIP) the form asking for one.
      expect(h.frame()).toMatch(/\d+ outcomes? for |type IP:PORT/);
      await h.press(KEY.escape, KEY.escape);
    }
    await h.press('c', 'G');
    expect(selectedLine(h.frame())).toBeDefined();
  });
});
