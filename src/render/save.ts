/**
 * Prints the model back as iptables-save text, in the canonical order iptables-save itself
 * uses (addresses, interfaces, protocol, then matches in order, then the target), so a dump read
 * from iptables-save prints back to the same rules. Strings are quoted as xtables_save_string
 * quotes them.
 */
import type { Match, MatchOption } from '../model/matches.js';
import type { Rule } from '../model/rule.js';
import type { Ruleset } from '../model/ruleset.js';
import type { Target } from '../model/targets.js';

const PLAIN = /^[A-Za-z0-9_-]+$/;

/** Quotes like iptables-save: bare when only [A-Za-z0-9_-], else "..." with \ before " \ '. */
export function saveString(value: string): string {
  if (PLAIN.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

function neg(negated: boolean): string {
  return negated ? ' !' : '';
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/**
 * Values of options this tool does not type are printed bare unless they could not be read back
 * that way: iptables quotes them per module, and most (`5/sec`, `0x1/0x1`) are bare.
 */
function bareOrQuoted(value: string): string {
  return value === '' || /[\s"'\\]/.test(value) ? saveString(value) : value;
}

function options(list: readonly MatchOption[]): string {
  let out = '';
  for (const o of list) {
    out += `${neg(o.negated)}${o.name === '' ? '' : ` ${o.name}`}`;
    for (const a of o.args) out += ` ${bareOrQuoted(a)}`;
  }
  return out;
}

export function printMatch(m: Match): string {
  let out = ` -m ${m.module}`;
  switch (m.kind) {
    case 'comment':
      out += ` --comment ${saveString(m.text)}`;
      break;
    case 'ports':
      if (m.sourcePort) out += `${neg(m.sourcePort.negated)} --sport ${m.sourcePort.text}`;
      if (m.destinationPort)
        out += `${neg(m.destinationPort.negated)} --dport ${m.destinationPort.text}`;
      if (m.tcpFlags)
        out += `${neg(m.tcpFlags.negated)} --tcp-flags ${m.tcpFlags.mask.join(',')} ${m.tcpFlags.compare.join(',')}`;
      break;
    case 'multiport':
      if (m.sourcePorts) out += `${neg(m.sourcePorts.negated)} --sports ${m.sourcePorts.text}`;
      if (m.destinationPorts)
        out += `${neg(m.destinationPorts.negated)} --dports ${m.destinationPorts.text}`;
      if (m.ports) out += `${neg(m.ports.negated)} --ports ${m.ports.text}`;
      break;
    case 'statistic':
      if (m.mode === 'random')
        out += ` --mode random${neg(m.negated)} --probability ${m.probabilityText}`;
      else
        out += ` --mode nth${neg(m.negated)} --every ${m.every}${m.packet !== 0 ? ` --packet ${m.packet}` : ''}`;
      break;
    case 'recent':
      out += `${neg(m.negated)} --${m.command}`;
      if (m.seconds !== null) out += ` --seconds ${m.seconds}`;
      if (m.reap) out += ' --reap';
      if (m.hitcount !== null) out += ` --hitcount ${m.hitcount}`;
      if (m.rttl) out += ' --rttl';
      out += ` --name ${m.name}`;
      if (m.mask !== null) out += ` --mask ${m.mask}`;
      out += m.side === 'source' ? ' --rsource' : ' --rdest';
      break;
    case 'mark':
      out += `${neg(m.negated)} --mark ${hex(m.value)}${m.mask !== 0xffffffff ? `/${hex(m.mask)}` : ''}`;
      break;
    case 'addrtype':
      if (m.sourceType)
        out += `${neg(m.sourceType.negated)} --src-type ${m.sourceType.types.join(',')}`;
      if (m.destinationType)
        out += `${neg(m.destinationType.negated)} --dst-type ${m.destinationType.types.join(',')}`;
      if (m.limitIfaceIn) out += ' --limit-iface-in';
      if (m.limitIfaceOut) out += ' --limit-iface-out';
      break;
    case 'conntrack':
      if (m.state)
        out += `${neg(m.state.negated)} ${m.module === 'state' ? '--state' : '--ctstate'} ${m.state.states.join(',')}`;
      if (m.status) out += `${neg(m.status.negated)} --ctstatus ${m.status.states.join(',')}`;
      break;
    case 'set':
      out += `${neg(m.negated)} --match-set ${saveString(m.setName)} ${m.flags.join(',')}`;
      break;
    case 'physdev':
      if (m.isIn) out += `${neg(m.isIn.negated)} --physdev-is-in`;
      if (m.physdevIn) out += `${neg(m.physdevIn.negated)} --physdev-in ${m.physdevIn.name}`;
      if (m.isOut) out += `${neg(m.isOut.negated)} --physdev-is-out`;
      if (m.physdevOut) out += `${neg(m.physdevOut.negated)} --physdev-out ${m.physdevOut.name}`;
      if (m.isBridged) out += `${neg(m.isBridged.negated)} --physdev-is-bridged`;
      break;
    case 'rpfilter':
      if (m.loose) out += ' --loose';
      if (m.validMark) out += ' --validmark';
      if (m.acceptLocal) out += ' --accept-local';
      if (m.invert) out += ' --invert';
      break;
    case 'nfacct':
      // iptables prints two spaces here; kept so saved text compares equal.
      out += ` --nfacct-name  ${m.name}`;
      break;
    case 'generic':
      out += options(m.options);
      break;
  }
  return out + options(m.extra);
}

export function printTarget(t: Target): string {
  let out = ` ${t.kind === 'chain' && t.goto ? '-g' : '-j'} ${t.name}`;
  switch (t.kind) {
    case 'verdict':
    case 'chain':
      break;
    case 'dnat':
      for (const d of t.destinations) out += ` --to-destination ${d.text}`;
      if (t.random) out += ' --random';
      if (t.persistent) out += ' --persistent';
      break;
    case 'snat':
      for (const s of t.sources) out += ` --to-source ${s.text}`;
      if (t.random) out += ' --random';
      if (t.randomFully) out += ' --random-fully';
      if (t.persistent) out += ' --persistent';
      break;
    case 'masquerade':
      if (t.toPorts)
        out += ` --to-ports ${t.toPorts.from}${t.toPorts.to !== t.toPorts.from ? `-${t.toPorts.to}` : ''}`;
      if (t.random) out += ' --random';
      if (t.randomFully) out += ' --random-fully';
      break;
    case 'redirect':
      if (t.toPorts)
        out += ` --to-ports ${t.toPorts.from}${t.toPorts.to !== t.toPorts.from ? `-${t.toPorts.to}` : ''}`;
      break;
    case 'mark':
      if (t.value !== null && t.mask !== null) out += ` --set-xmark ${hex(t.value)}/${hex(t.mask)}`;
      break;
    case 'reject':
      out += ` --reject-with ${t.rejectWith}`;
      break;
    case 'log':
      if (t.prefix !== null) out += ` --${t.name.toLowerCase()}-prefix ${saveString(t.prefix)}`;
      break;
    case 'generic':
      out += options(t.options);
      if (t.unparsed !== null) out += ` ${t.unparsed}`;
      break;
  }
  return out + options(t.extra);
}

/** The rule as iptables-save prints it, without the counter prefix. */
export function printRule(rule: Rule): string {
  let out = `-A ${rule.chain}`;
  if (rule.source) out += `${neg(rule.source.negated)} -s ${rule.source.text}`;
  if (rule.destination) out += `${neg(rule.destination.negated)} -d ${rule.destination.text}`;
  if (rule.inInterface) out += `${neg(rule.inInterface.negated)} -i ${rule.inInterface.name}`;
  if (rule.outInterface) out += `${neg(rule.outInterface.negated)} -o ${rule.outInterface.name}`;
  if (rule.protocol) out += `${neg(rule.protocol.negated)} -p ${rule.protocol.name}`;
  if (rule.fragment) out += `${neg(rule.fragment.negated)} -f`;
  for (const m of rule.matches) out += printMatch(m);
  if (rule.target !== null) out += printTarget(rule.target);
  return out;
}

export interface PrintSaveOptions {
  /** Prefix rules with `[pkts:bytes]` as `iptables-save -c` does. */
  readonly counters: boolean;
}

/** The whole ruleset as iptables-save text (without the generated-by/completed comments). */
export function printRuleset(ruleset: Ruleset, opts: PrintSaveOptions): string {
  const lines: string[] = [];
  for (const table of ruleset.tables) {
    lines.push(`*${table.name}`);
    for (const chain of table.chains) {
      const c = chain.counters;
      lines.push(`:${chain.name} ${chain.policy ?? '-'} [${c ? c.packets : 0}:${c ? c.bytes : 0}]`);
    }
    for (const chain of table.chains) {
      for (const rule of chain.rules) {
        const prefix =
          opts.counters && rule.counters
            ? `[${rule.counters.packets}:${rule.counters.bytes}] `
            : '';
        lines.push(prefix + printRule(rule));
      }
    }
    lines.push('COMMIT');
  }
  return lines.join('\n') + '\n';
}
