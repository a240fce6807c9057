/**
 * The browser's state and what a key press does to it: a stack of screens (the breadcrumb
 * path), a one-key message, and whether to quit. Pure: the App component only feeds it keys
 * and draws the result, so tests and benchmarks can drive it directly.
 */
import type { Hint } from './components/chrome.js';
import type { KeyPress } from './keys.js';
import type { BrowserContext, Screen, Transition } from './screen.js';
import { chainIndexCrumb, chainIndexHints, chainIndexKey } from './screens/chain-index.js';
import { chainCrumb, chainHints, chainKey } from './screens/chain-view.js';
import { helpHints, helpKey, helpScreen } from './screens/help.js';
import { rawCrumb, rawHints, rawKey } from './screens/raw-view.js';
import {
  serviceListCrumb,
  serviceListHints,
  serviceListKey,
  serviceListScreen,
} from './screens/service-list.js';
import { serviceCrumb, serviceHints, serviceKey } from './screens/service-view.js';
import { traceCrumb, traceHints, traceIsEditing, traceKey } from './screens/trace-view.js';

export interface BrowserState {
  /** Never empty; the last screen is the one shown. */
  readonly stack: readonly Screen[];
  /** Shown in the status bar until the next key. */
  readonly message: string | null;
  readonly quit: boolean;
}

export function initialState(): BrowserState {
  return { stack: [serviceListScreen()], message: null, quit: false };
}

export function topScreen(state: BrowserState): Screen {
  return state.stack[state.stack.length - 1];
}

function screenKey(screen: Screen, key: KeyPress, ctx: BrowserContext): Transition | null {
  switch (screen.kind) {
    case 'services':
      return serviceListKey(screen, key, ctx);
    case 'service':
      return serviceKey(screen, key, ctx);
    case 'chains':
      return chainIndexKey(screen, key, ctx);
    case 'chain':
      return chainKey(screen, key, ctx);
    case 'trace':
      return traceKey(screen, key, ctx);
    case 'raw':
      return rawKey(screen, key, ctx);
    case 'help':
      return helpKey(screen, key, ctx);
  }
}

/** While a screen takes typed text, `q`, `?` and letters are text, not commands. */
export function isEditing(screen: Screen): boolean {
  switch (screen.kind) {
    case 'services':
    case 'chains':
      return screen.editing;
    case 'trace':
      return traceIsEditing(screen);
    default:
      return false;
  }
}

/** The keys every screen shares, used when the screen does not handle a key itself. */
function globalKey(state: BrowserState, key: KeyPress): Transition | null {
  const editing = isEditing(topScreen(state));
  if (key.name === 'escape' || (key.name === 'backspace' && !editing)) {
    return state.stack.length > 1 ? { kind: 'pop' } : null;
  }
  if (editing) return null;
  if (key.text === 'q') return { kind: 'quit' };
  if (key.text === '?') return { kind: 'push', screen: helpScreen() };
  return null;
}

function apply(state: BrowserState, t: Transition): BrowserState {
  switch (t.kind) {
    case 'update':
      return {
        ...state,
        stack: [...state.stack.slice(0, -1), t.screen],
        message: t.message ?? null,
      };
    case 'push':
      return { ...state, stack: [...state.stack, t.screen], message: null };
    case 'pop':
      return state.stack.length > 1
        ? { ...state, stack: state.stack.slice(0, -1), message: null }
        : state;
    case 'message':
      return { ...state, message: t.text };
    case 'quit':
      return { ...state, quit: true };
  }
}

export function reduceKey(state: BrowserState, key: KeyPress, ctx: BrowserContext): BrowserState {
  const t = screenKey(topScreen(state), key, ctx) ?? globalKey(state, key);
  if (t === null) return state.message === null ? state : { ...state, message: null };
  return apply(state, t);
}

export function crumbOf(screen: Screen): string {
  switch (screen.kind) {
    case 'services':
      return serviceListCrumb(screen);
    case 'service':
      return serviceCrumb(screen);
    case 'chains':
      return chainIndexCrumb(screen);
    case 'chain':
      return chainCrumb(screen);
    case 'trace':
      return traceCrumb(screen);
    case 'raw':
      return rawCrumb(screen);
    case 'help':
      return 'keys';
  }
}

export function hintsOf(screen: Screen): Hint[] {
  switch (screen.kind) {
    case 'services':
      return serviceListHints(screen);
    case 'service':
      return serviceHints();
    case 'chains':
      return chainIndexHints(screen);
    case 'chain':
      return chainHints();
    case 'trace':
      return traceHints(screen);
    case 'raw':
      return rawHints();
    case 'help':
      return helpHints();
  }
}
