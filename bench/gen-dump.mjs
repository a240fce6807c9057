#!/usr/bin/env node
// Benchmark input generator: a kube-proxy-shaped `iptables-save` dump of any size.
//
//   node bench/gen-dump.mjs --services 25000 --endpoints 10 [--era 1.28] [--counters] > /tmp/big.save
//
// Options
//   --services N      service ports to generate (default 1000)
//   --endpoints M     endpoints per service (default 10)
//   --era E           kube-proxy era: 1.16 | 1.20 | 1.23 | 1.24 | 1.28 (default 1.28)
//   --counters        print `[packets:bytes]` before every rule (iptables-save -c)
//   --backend B       nft (default) | legacy: header text and table order
//   --family 4|6      IPv4 (default) or IPv6 (ip6tables-save)
//   --cni LIST        comma list of docker, flannel, calico, kindnet, ... (default none)
//   --seed S          seed of the deterministic pseudo-random choices (default "bench")
//   --date TEXT       date in the header lines (default: the fixtures' fixed date)
//
// The output is what iptables-save 1.8.9 prints, not restore input: options in
// iptables-save order, /32 (/128) on host addresses, --set-xmark, %.11f
// probabilities of the kernel-rounded value, quoted comments, chains sorted,
// header/footer comment lines. The rules come from the fixture generator
// (fixtures/build/kube-proxy-rules.mjs) and are rendered with its
// iptables-save emulation (fixtures/build/save-format.mjs), which build.sh
// checks against the real binaries. Every 10th service has a NodePort, every
// 25th is an externalTrafficPolicy=Local LoadBalancer, every 40th uses
// ClientIP affinity, every 50th has no endpoints; with more than 1000
// endpoints in total kube-proxy's large-cluster mode drops the SEP comments.
//
// Rules are rendered as they are generated and kept as text per chain (about
// 80 bytes a line), then written chain by chain in iptables-save order with
// back-pressure-aware writes. 25000 x 10 is about a million lines.

import {
  buildRuleSet,
  RuleSet,
  seededRandom,
  FIXED_DATE,
} from '../fixtures/build/kube-proxy-rules.mjs';
import {
  renderSaveRule,
  saveProgramName,
  formatV6,
  parseV6,
} from '../fixtures/build/save-format.mjs';

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {Record<string, string|boolean>} */
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2);
    if (key === 'counters' || key === 'help') o[key] = true;
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      o[key] = v;
    }
  }
  return o;
}

const USAGE =
  'usage: node bench/gen-dump.mjs --services N --endpoints M [--era 1.28] [--counters] [--backend nft|legacy] [--family 4|6] [--cni list] [--seed S] [--date TEXT]\n';

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${/** @type {Error} */ (e).message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const nServices = Number(args.services ?? 1000);
const nEndpoints = Number(args.endpoints ?? 10);
const era = String(args.era ?? '1.28');
const withCounters = !!args.counters;
const backend = /** @type {'nft'|'legacy'} */ (String(args.backend ?? 'nft'));
const family = /** @type {4|6} */ (Number(args.family ?? 4));
const cni = args.cni ? String(args.cni).split(',').filter(Boolean) : [];
const seed = String(args.seed ?? 'bench');
const date = String(args.date ?? FIXED_DATE);
if (
  !Number.isInteger(nServices) ||
  nServices < 0 ||
  !Number.isInteger(nEndpoints) ||
  nEndpoints < 0
) {
  process.stderr.write('--services and --endpoints must be non-negative integers\n' + USAGE);
  process.exit(2);
}
if (!['1.16', '1.20', '1.23', '1.24', '1.28'].includes(era)) {
  process.stderr.write(`unsupported --era ${era}\n${USAGE}`);
  process.exit(2);
}
if (backend !== 'nft' && backend !== 'legacy') {
  process.stderr.write(`unsupported --backend ${backend}\n${USAGE}`);
  process.exit(2);
}
if (family !== 4 && family !== 6) {
  process.stderr.write(`unsupported --family ${family}\n${USAGE}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------
// synthetic cluster

/** @param {number} n @returns {string} 10.96.0.0/12 service address n */
function v4Service(n) {
  const x = n + 10;
  return `10.${96 + ((x >>> 16) & 15)}.${(x >>> 8) & 255}.${x & 255}`;
}
/** @param {number} n @returns {string} 10.64.0.0/10 pod address n */
function v4Pod(n) {
  const x = n + 2;
  return `10.${64 + ((x >>> 16) & 63)}.${(x >>> 8) & 255}.${x & 255}`;
}
/** @param {number} n */
const v6Service = (n) => `fd00:10:96::${(n + 10).toString(16)}`;
/** @param {number} n  fd00:10:244:<n/65536>::<n%65536 + 2>, canonical text as Go prints it */
const v6Pod = (n) =>
  formatV6(
    parseV6(
      `fd00:10:244:${((n >>> 16) & 0xffff).toString(16)}::${((n & 0xffff) + 2).toString(16)}`,
    ),
  );

const svcIP = family === 6 ? v6Service : v4Service;
const podIP = family === 6 ? v6Pod : v4Pod;

/** @type {import('../fixtures/build/kube-proxy-rules.mjs').Service[]} */
const services = [];
for (let i = 0; i < nServices; i++) {
  const https = i % 5 === 4;
  const udp = i % 13 === 12;
  /** @type {import('../fixtures/build/kube-proxy-rules.mjs').Port} */
  const port = udp
    ? { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 }
    : {
        name: i % 7 === 6 ? '' : https ? 'https' : 'http',
        port: https ? 443 : 80,
        protocol: 'TCP',
        targetPort: https ? 8443 : 8080,
      };
  /** @type {import('../fixtures/build/kube-proxy-rules.mjs').Service} */
  const svc = {
    namespace: `ns-${i % 97}`,
    name: `svc-${i}`,
    clusterIP: svcIP(i),
    ports: [port],
    endpoints: [],
  };
  if (i % 10 === 0) port.nodePort = 30000 + (i % 2768);
  if (i % 25 === 0) {
    svc.externalTrafficPolicy = 'Local';
    svc.healthCheckNodePort = 32000 + (i % 767);
    svc.loadBalancerIPs = [
      family === 6
        ? `2001:db8:ff::${(i + 1).toString(16)}`
        : `172.${16 + ((i >>> 16) & 15)}.${(i >>> 8) & 255}.${i & 255}`,
    ];
    if (!port.nodePort) port.nodePort = 30000 + ((i + 1384) % 2768);
  }
  if (i % 40 === 0) svc.sessionAffinityTimeout = 10800;
  if (i % 50 !== 49) {
    for (let j = 0; j < nEndpoints; j++) {
      const k = i * nEndpoints + j;
      svc.endpoints?.push({ ip: podIP(k), local: k % 50 === 0 });
    }
  }
  services.push(svc);
}

/** @type {import('../fixtures/build/kube-proxy-rules.mjs').Cluster} */
const cluster = {
  name: `bench-${seed}`,
  era,
  family,
  nodeIP: family === 6 ? '2001:db8:1::11' : '192.168.0.11',
  clusterCIDR: family === 6 ? 'fd00:10:244::/56' : '10.64.0.0/10',
  nodePodCIDR: family === 6 ? 'fd00:10:244::/64' : '10.64.0.0/24',
  cni,
  services,
};

// ---------------------------------------------------------------------------
// generate: render each rule immediately, keep the text per table and chain

/** @type {Map<string, Map<string, string>>} table -> chain -> rendered lines */
const byTable = new Map();
const rs = new RuleSet(family);
/** @type {NonNullable<RuleSet['onRule']>} */
const onRule = (table, chain, ruleArgs, counters) => {
  let chains = byTable.get(table);
  if (!chains) byTable.set(table, (chains = new Map()));
  let line = renderSaveRule(chain, ruleArgs, family);
  if (withCounters) {
    // ip6tables-nft 1.8.9 drops rule counters on restore: print what it prints
    const c = family === 6 && backend === 'nft' ? undefined : counters;
    line = c ? `[${c[0]}:${c[1]}] ${line}` : `[0:0] ${line}`;
  }
  const prev = chains.get(chain);
  chains.set(chain, prev === undefined ? line + '\n' : prev + line + '\n');
};
rs.onRule = onRule;
buildRuleSet(cluster, { rs, counters: withCounters, rand: seededRandom(seed) });

// ---------------------------------------------------------------------------
// write in iptables-save order

const out = process.stdout;
let buf = '';
/** @param {string} s */
async function write(s) {
  buf += s;
  if (buf.length >= 1 << 16) {
    const chunk = buf;
    buf = '';
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  }
}

const prog = saveProgramName(family, backend);
const tables = rs.orderedTables();
if (backend === 'legacy') tables.reverse();
for (const t of tables) {
  await write(`# Generated by ${prog} on ${date}\n*${t.name}\n`);
  for (const b of t.builtins) {
    const c = b.counters ?? [0, 0];
    await write(`:${b.name} ${b.policy} [${c[0]}:${c[1]}]\n`);
  }
  const users = [...t.chains].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const c of users) await write(`:${c} - [0:0]\n`);
  const chains = byTable.get(t.name) ?? new Map();
  for (const c of [...t.builtins.map((b) => b.name), ...users]) {
    const text = chains.get(c);
    if (text === undefined) continue;
    await write(text);
    chains.delete(c);
  }
  await write(`COMMIT\n# Completed on ${date}\n`);
}
if (buf) out.write(buf);
