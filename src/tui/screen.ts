/**
 * What every screen shares: the context it is drawn in, the screen states (one per screen
 * module), and the transitions a key press can cause. The browser keeps a stack of screens; the
 * stack is the breadcrumb path.
 */
import type { KubeModel } from '../kube/model.js';
import type { FindingIndex } from './findings.js';
import type { PacketOrigin, TraceProtocol, TraceResult } from '../trace/types.js';
import type { ChainIndexScreen } from './screens/chain-index.js';
import type { ChainScreen } from './screens/chain-view.js';
import type { HelpScreen } from './screens/help.js';
import type { RawScreen } from './screens/raw-view.js';
import type { ServiceListScreen } from './screens/service-list.js';
import type { ServiceScreen } from './screens/service-view.js';
import type { TraceScreen } from './screens/trace-view.js';

export interface TerminalSize {
  readonly rows: number;
  readonly columns: number;
}

/** What the trace screen asks for; the tracer fills in the rest (source, interfaces) and says so. */
export interface TraceRequest {
  readonly destination: string;
  readonly destinationPort: number;
  readonly protocol: TraceProtocol;
  readonly origin: PacketOrigin;
}

/**
 * Runs one trace, outcomes labelled in Kubernetes terms. Throws an Error whose message is for
 * people when the request cannot be traced.
 */
export type RunTrace = (request: TraceRequest) => TraceResult;

export interface BrowserContext {
  readonly model: KubeModel;
  /** The packet tracer; null when there is none (the trace screen says so). */
  readonly trace: RunTrace | null;
  /** `check`'s findings; null until they are known (or when they are not computed). */
  readonly findings: FindingIndex | null;
  readonly size: TerminalSize;
}

export type Screen =
  | ServiceListScreen
  | ServiceScreen
  | ChainIndexScreen
  | ChainScreen
  | TraceScreen
  | RawScreen
  | HelpScreen;

export type Transition =
  /** The top screen's new state (a cursor moved, a filter changed). */
  | { readonly kind: 'update'; readonly screen: Screen; readonly message?: string }
  | { readonly kind: 'push'; readonly screen: Screen }
  | { readonly kind: 'pop' }
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'quit' };

export function update(screen: Screen, message?: string): Transition {
  return message === undefined ? { kind: 'update', screen } : { kind: 'update', screen, message };
}

export function push(screen: Screen): Transition {
  return { kind: 'push', screen };
}

/**
 * Lines between the title bar and the status bar. The frame is one line shorter than the
 * terminal: ink ends a frame that does not fill the screen with a newline, and a frame that
 * does fill it is redrawn from scratch on every key.
 */
export function bodyHeight(size: TerminalSize): number {
  return Math.max(3, size.rows - 3);
}
