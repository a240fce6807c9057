/**
 * The fixed columns of one `iptables -L` rule row:
 * `[num] [pkts bytes] [target] [!]prot opt [in out] [!]source [!]destination [options...]`.
 * Which optional columns exist comes from the column header line when there is one, or from
 * the row itself (grep fragments). The target column is empty for rules without a target, and
 * `opt` is empty in ip6tables listings before iptables 1.8.9.
 */
import { isListingNumber } from './listing-counters.js';

export interface RowLayout {
  readonly lineNumbers: boolean;
  readonly counters: boolean;
  readonly interfaces: boolean;
  readonly opt: boolean;
}

/** `num pkts bytes target prot opt in out source destination`, any subset of the optional. */
const HEADER_RE =
  /^\s*(num\s+)?(pkts\s+bytes\s+)?target\s+prot\s+opt\s+(in\s+out\s+)?source\s+destination\s*$/;

export function readColumnHeader(line: string): RowLayout | null {
  const m = HEADER_RE.exec(line);
  if (m === null) return null;
  return {
    lineNumbers: m[1] !== undefined,
    counters: m[2] !== undefined,
    interfaces: m[3] !== undefined,
    opt: true,
  };
}

export interface Negatable {
  readonly negated: boolean;
  readonly text: string;
  /** Offset of the text (after any `!`) in the line. */
  readonly start: number;
}

export interface ListedRow {
  readonly layout: RowLayout;
  readonly lineNumber: number | null;
  readonly packets: string | null;
  readonly bytes: string | null;
  /** '' when the rule has no target. */
  readonly target: string;
  readonly targetStart: number;
  readonly protocol: Negatable;
  /** `-f`: `only` second and later fragments, `not` (`!f`) first fragments only. */
  readonly fragment: 'only' | 'not' | null;
  /** Null for `*` or when the listing has no interface columns. */
  readonly inInterface: Negatable | null;
  readonly outInterface: Negatable | null;
  readonly source: Negatable;
  readonly destination: Negatable;
  /** Offset where the option text after the destination begins. */
  readonly restStart: number;
}

interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** The first `limit` words of `text[start..end)`. */
function words(text: string, start: number, end: number, limit: number): Word[] {
  const out: Word[] = [];
  let i = start;
  while (i < end && out.length < limit) {
    while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (i >= end) break;
    const s = i;
    while (i < end && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9) i++;
    out.push({ text: text.slice(s, i), start: s, end: i });
  }
  return out;
}

const OPT_RE = /^[-!][-f]$/;
const NUMERIC_ADDRESS_RE =
  /^!?(?:anywhere|[0-9.]+(?:\/[0-9.]+)?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*(?:\/\d+)?)$/;
const ADDRESS_RE = /^!?[A-Za-z0-9:.][A-Za-z0-9:._-]*(?:\/[0-9.]+)?$/;
const INTERFACE_RE = /^!?[A-Za-z0-9*][A-Za-z0-9_.+@:*-]*$/;
/**
 * Protocol names by number as iptables prints them: iptables-save and `-L` without `-n` use
 * /etc/protocols (Debian netbase names below); iptables 1.8.9 with `-n` prints the number.
 */
export const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '1': 'icmp',
  '2': 'igmp',
  '4': 'ipencap',
  '6': 'tcp',
  '17': 'udp',
  '33': 'dccp',
  '41': 'ipv6',
  '43': 'ipv6-route',
  '44': 'ipv6-frag',
  '47': 'gre',
  '50': 'esp',
  '51': 'ah',
  '58': 'ipv6-icmp',
  '59': 'ipv6-nonxt',
  '60': 'ipv6-opts',
  '89': 'ospf',
  '94': 'ipip',
  '103': 'pim',
  '112': 'vrrp',
  '115': 'l2tp',
  '132': 'sctp',
  '135': 'mobility-header',
  '136': 'udplite',
};

const PROTOCOL_WORDS: ReadonlySet<string> = new Set([
  'all',
  'icmpv6',
  'mh',
  'hopopt',
  ...Object.values(PROTOCOL_NAMES),
]);

function isProtocolWord(text: string): boolean {
  const t = text.startsWith('!') ? text.slice(1) : text;
  return /^\d{1,3}$/.test(t) || PROTOCOL_WORDS.has(t);
}

function negatable(w: Word): Negatable {
  return w.text.startsWith('!')
    ? { negated: true, text: w.text.slice(1), start: w.start + 1 }
    : { negated: false, text: w.text, start: w.start };
}

function iface(w: Word): Negatable | null {
  return w.text === '*' ? null : negatable(w);
}

/**
 * Splits a row; null if the line is not a rule row. `layout` is the column header's, or null
 * to work the columns out from the row.
 */
export function parseRow(
  text: string,
  start: number,
  end: number,
  layout: RowLayout | null,
): ListedRow | null {
  const ws = words(text, start, end, 12);
  // The opt column (`--`, `-f`, `!f`) anchors the row: prot is just before it.
  let k = -1;
  for (let i = 1; i < Math.min(ws.length, 6); i++) {
    if (OPT_RE.test(ws[i].text)) {
      k = i;
      break;
    }
  }
  let protoAt: number;
  let afterProto: number;
  if (k !== -1) {
    protoAt = k - 1;
    afterProto = k + 1;
  } else {
    // ip6tables before 1.8.9 leaves `opt` empty: only read such rows under a header.
    if (layout === null) return null;
    const lead = (layout.lineNumbers ? 1 : 0) + (layout.counters ? 2 : 0);
    if (ws.length < lead + 3) return null;
    protoAt = isProtocolWord(ws[lead + 1]?.text ?? '') ? lead + 1 : lead;
    afterProto = protoAt + 1;
  }
  if (!isProtocolWord(ws[protoAt].text)) return null;

  // Before prot: [num] [pkts bytes] [target].
  const prefix = ws.slice(0, protoAt);
  let numeric = 0;
  while (numeric < prefix.length && isListingNumber(prefix[numeric].text)) numeric++;
  let lineNumbers: boolean;
  let counters: boolean;
  if (layout !== null) {
    lineNumbers = layout.lineNumbers;
    counters = layout.counters;
    const lead = (lineNumbers ? 1 : 0) + (counters ? 2 : 0);
    if (numeric < lead || prefix.length > lead + 1) return null;
  } else {
    if (prefix.length - numeric > 1 || numeric > 3) return null;
    lineNumbers = numeric === 1 || numeric === 3;
    counters = numeric >= 2;
  }
  const lead = (lineNumbers ? 1 : 0) + (counters ? 2 : 0);
  const target = prefix.length > lead ? prefix[lead] : null;
  if (lineNumbers && !/^\d+$/.test(prefix[0].text)) return null;

  const rest = ws.slice(afterProto);
  let interfaces: boolean;
  if (layout !== null) interfaces = layout.interfaces;
  else
    interfaces =
      rest.length >= 4 &&
      INTERFACE_RE.test(rest[0].text) &&
      INTERFACE_RE.test(rest[1].text) &&
      NUMERIC_ADDRESS_RE.test(rest[2].text) &&
      NUMERIC_ADDRESS_RE.test(rest[3].text) &&
      (rest[0].text === '*' || rest[1].text === '*' || !NUMERIC_ADDRESS_RE.test(rest[0].text));
  const need = interfaces ? 4 : 2;
  if (rest.length < need) return null;
  const src = rest[need - 2];
  const dst = rest[need - 1];
  if (!ADDRESS_RE.test(src.text) || !ADDRESS_RE.test(dst.text)) return null;
  if (interfaces && (!INTERFACE_RE.test(rest[0].text) || !INTERFACE_RE.test(rest[1].text)))
    return null;
  const optText = k !== -1 ? ws[k].text : '--';
  return {
    layout: { lineNumbers, counters, interfaces, opt: k !== -1 },
    lineNumber: lineNumbers ? Number(prefix[0].text) : null,
    packets: counters ? prefix[lineNumbers ? 1 : 0].text : null,
    bytes: counters ? prefix[lineNumbers ? 2 : 1].text : null,
    target: target?.text ?? '',
    targetStart: target?.start ?? ws[protoAt].start,
    protocol: negatable(ws[protoAt]),
    fragment: optText[1] === 'f' ? (optText[0] === '!' ? 'not' : 'only') : null,
    inInterface: interfaces ? iface(rest[0]) : null,
    outInterface: interfaces ? iface(rest[1]) : null,
    source: negatable(src),
    destination: negatable(dst),
    restStart: dst.end,
  };
}
