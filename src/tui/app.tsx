/**
 * The browser: title bar, the top screen of the stack, status bar. Keys go through the pure
 * reducer in browser.ts; this component only connects it to ink.
 */
import { Box, useApp, useInput } from 'ink';
import { useEffect, useMemo, useReducer, type ReactNode } from 'react';
import type { Finding } from '../check/finding.js';
import type { KubeModel } from '../kube/model.js';
import { escapeText } from '../render/escape.js';
import {
  crumbOf,
  hintsOf,
  initialState,
  reduceKey,
  topScreen,
  type BrowserState,
} from './browser.js';
import { StatusBar, TitleBar } from './components/chrome.js';
import { toKeyPresses, type KeyPress } from './keys.js';
import type { BrowserContext, RunTrace, Screen } from './screen.js';
import { ChainIndexView } from './screens/chain-index.js';
import { ChainView } from './screens/chain-view.js';
import { HelpView } from './screens/help.js';
import { RawView } from './screens/raw-view.js';
import { ServiceListView } from './screens/service-list.js';
import { ServiceView } from './screens/service-view.js';
import { TraceView } from './screens/trace-view.js';
import { indexFindings } from './findings.js';
import { ThemeContext } from './theme.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface BrowserProps {
  readonly model: KubeModel;
  readonly trace: RunTrace | null;
  /** False when NO_COLOR asks for no colour. */
  readonly color: boolean;
  /** `check`'s findings, when known; they may arrive after the first screen. */
  readonly findings?: readonly Finding[] | null;
  /**
   * Called once per key, after the screen that answers it has been drawn, with the number of
   * keys answered so far (tests and the benchmark wait for it instead of sleeping).
   */
  readonly onKeyAnswered?: (count: number, state: BrowserState) => void;
}

function ScreenView(props: { readonly screen: Screen; readonly ctx: BrowserContext }): ReactNode {
  const { screen, ctx } = props;
  switch (screen.kind) {
    case 'services':
      return <ServiceListView screen={screen} ctx={ctx} />;
    case 'service':
      return <ServiceView screen={screen} ctx={ctx} />;
    case 'chains':
      return <ChainIndexView screen={screen} ctx={ctx} />;
    case 'chain':
      return <ChainView screen={screen} ctx={ctx} />;
    case 'trace':
      return <TraceView screen={screen} ctx={ctx} />;
    case 'raw':
      return <RawView screen={screen} ctx={ctx} />;
    case 'help':
      return <HelpView screen={screen} ctx={ctx} />;
  }
}

type Action = { readonly key: KeyPress; readonly ctx: BrowserContext };

/** The browser's state plus a count of keys, so every key (even one that changes nothing) commits. */
interface Counted {
  readonly browser: BrowserState;
  readonly keys: number;
}

function reducer(state: Counted, action: Action): Counted {
  return { browser: reduceKey(state.browser, action.key, action.ctx), keys: state.keys + 1 };
}

function initial(): Counted {
  return { browser: initialState(), keys: 0 };
}

export function Browser(props: BrowserProps): ReactNode {
  const size = useTerminalSize();
  const findings = useMemo(
    () => (props.findings == null ? null : indexFindings(props.findings)),
    [props.findings],
  );
  const ctx = useMemo<BrowserContext>(
    () => ({ model: props.model, trace: props.trace, findings, size }),
    [props.model, props.trace, findings, size],
  );
  const [counted, dispatch] = useReducer(reducer, undefined, initial);
  const state = counted.browser;
  const { exit } = useApp();
  useInput((input, key) => {
    for (const press of toKeyPresses(input, key)) dispatch({ key: press, ctx });
  });
  const { onKeyAnswered } = props;
  // Effects run after the frame is written, so "answered" means "on screen".
  useEffect(() => {
    if (counted.keys > 0) onKeyAnswered?.(counted.keys, counted.browser);
    if (counted.browser.quit) exit();
  }, [counted, exit, onKeyAnswered]);

  const screen = topScreen(state);
  const file = escapeText(props.model.ruleset.file);
  const problems = props.model.ruleset.problems.length;
  const left = `k8s-ipt ${file}${problems > 0 ? ` (${problems} problems)` : ''}`;
  return (
    <ThemeContext.Provider value={{ color: props.color }}>
      <Box flexDirection="column" width={size.columns} height={size.rows - 1}>
        <TitleBar left={left} crumbs={state.stack.map(crumbOf)} width={size.columns} />
        <Box flexDirection="column" flexGrow={1} overflow="hidden">
          <ScreenView screen={screen} ctx={ctx} />
        </Box>
        <StatusBar hints={hintsOf(screen)} message={state.message} />
      </Box>
    </ThemeContext.Provider>
  );
}
