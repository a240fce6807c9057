/**
 * The packet as the rules see it at one point of its way through the hooks: addresses after the
 * NAT done so far, marks, conntrack state, and the interfaces of the current hook. Matchers read
 * a FlowView; only the engine changes it.
 */
import type { Ip } from './address.js';
import type { PacketOrigin, TraceHook, TraceProtocol } from './types.js';

export interface FlowView {
  readonly protocol: TraceProtocol;
  readonly origin: PacketOrigin;
  readonly source: Ip;
  readonly destination: Ip;
  readonly sourcePort: number;
  readonly destinationPort: number;
  /** Pre-DNAT destination (conntrack's original tuple). */
  readonly originalDestination: Ip;
  readonly originalDestinationPort: number;
  readonly originalSource: Ip;
  /** The current hook's input interface; '' where the kernel has none (OUTPUT, POSTROUTING). */
  readonly inInterface: string;
  /** The current hook's output interface; '' where the kernel has none (PREROUTING, INPUT). */
  readonly outInterface: string;
  readonly hook: TraceHook;
  readonly table: string;
  readonly mark: number;
  readonly connmark: number;
  /** A raw-table NOTRACK/CT --notrack made the packet untracked (no conntrack, no NAT). */
  readonly untracked: boolean;
  /** conntrack status bits set so far: the flow was DNATed / SNATed. */
  readonly destinationNatted: boolean;
  readonly sourceNatted: boolean;
  /** The packet entered through a bridge port (pods behind a bridge with br_netfilter). */
  readonly bridged: boolean;
}
