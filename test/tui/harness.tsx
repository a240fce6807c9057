/** Drives the Browser component through ink-testing-library: keys in, frames out. */
import { EventEmitter } from 'node:events';
import { render as inkRender } from 'ink';
import { render } from 'ink-testing-library';
import type { Finding } from '../../src/check/finding.js';
import { buildKubeModel } from '../../src/kube/build.js';
import type { KubeModel } from '../../src/kube/model.js';
import { labelOutcomes } from '../../src/trace/labels.js';
import { tracePacket } from '../../src/trace/packet.js';
import { Browser } from '../../src/tui/app.js';
import type { BrowserState } from '../../src/tui/browser.js';
import type { RunTrace } from '../../src/tui/screen.js';
import { loadFixture, parseText } from '../helpers.js';

export const KEY = {
  up: '\u001b[A',
  down: '\u001b[B',
  left: '\u001b[D',
  right: '\u001b[C',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
  enter: '\r',
  escape: '\u001b',
  backspace: '\u007f',
  tab: '\t',
} as const;

/** The modern fixture the acceptance test names: default/web:http has three endpoints. */
export const MODERN = 'k8s-1.28-etp-local-calico.counters.save';

const models = new Map<string, KubeModel>();

export function fixtureModel(name: string): KubeModel {
  let m = models.get(name);
  if (m === undefined) {
    m = buildKubeModel(loadFixture(name));
    models.set(name, m);
  }
  return m;
}

export function textModel(dump: string): KubeModel {
  return buildKubeModel(parseText(dump));
}

export function realTrace(model: KubeModel): RunTrace {
  return (request) => {
    const result = tracePacket(model.ruleset, request);
    labelOutcomes(result, model);
    return result;
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Waits, a bounded number of event-loop turns, for `done` to hold. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (done()) return;
    await tick();
  }
  throw new Error(`gave up waiting for ${what}`);
}

export interface BrowserHarness {
  frame(): string;
  /** Every frame drawn so far. */
  frames(): readonly string[];
  /** Sends each key separately, as a person types. */
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  readonly states: BrowserState[];
  unmount(): void;
}

export function renderBrowser(
  model: KubeModel,
  trace: RunTrace | null = realTrace(model),
  findings: readonly Finding[] | null = null,
): BrowserHarness {
  const states: BrowserState[] = [];
  let answered = 0;
  const r = render(
    <Browser
      model={model}
      trace={trace}
      findings={findings}
      color={false}
      onKeyAnswered={(count, state) => {
        answered = count;
        states.push(state);
      }}
    />,
  );
  // One key at a time, once ink listens for keys (it starts in an effect after the first
  // render), then until the screen answering it is drawn.
  let sent = 0;
  const send = async (key: string): Promise<void> => {
    await until(() => r.stdin.listenerCount('readable') > 0, 'ink to listen for keys');
    sent++;
    r.stdin.write(key);
    await until(() => answered >= sent, `the browser to answer ${JSON.stringify(key)}`);
  };
  return {
    frame: () => r.lastFrame() ?? '',
    frames: () => r.frames,
    press: async (...keys) => {
      for (const k of keys) await send(k);
    },
    type: async (text) => {
      for (const c of text) await send(c);
    },
    states,
    unmount: () => r.unmount(),
  };
}

/** The frame's line that contains `text`, or undefined. */
export function lineWith(frame: string, text: string): string | undefined {
  return frame.split('\n').find((l) => l.includes(text));
}

/** The selected row of a list (the one with the `›` marker). */
export function selectedLine(frame: string): string | undefined {
  return frame.split('\n').find((l) => l.startsWith('›'));
}

/** A terminal of a given size that can be resized (ink-testing-library's is fixed at 100 columns). */
class SizedOutput extends EventEmitter {
  readonly isTTY = true;
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

class KeyInput extends EventEmitter {
  readonly isTTY = true;
  private data: string | null = null;
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  type(data: string): void {
    this.data = data;
    this.emit('readable');
  }
}

export interface SizedHarness {
  frame(): string;
  press(key: string): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  /** Waits (a bounded number of event-loop turns) until `done` holds. */
  waitFor(done: () => boolean, what: string): Promise<void>;
  unmount(): void;
}

/** The browser on a terminal of `columns`×`rows` that the test can resize. */
export function renderSized(model: KubeModel, columns: number, rows: number): SizedHarness {
  const output = new SizedOutput(columns, rows);
  const input = new KeyInput();
  let answered = 0;
  let sent = 0;
  const instance = inkRender(
    <Browser model={model} trace={null} color={false} onKeyAnswered={(n) => (answered = n)} />,
    {
      stdout: output as unknown as NodeJS.WriteStream,
      stdin: input as unknown as NodeJS.ReadStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  const frame = (): string => output.frames.at(-1) ?? '';
  return {
    frame,
    press: async (key) => {
      await until(() => input.listenerCount('readable') > 0, 'ink to listen for keys');
      sent++;
      input.type(key);
      await until(() => answered >= sent, `the browser to answer ${JSON.stringify(key)}`);
    },
    resize: async (c, r) => {
      const before = output.frames.length;
      output.resize(c, r);
      await until(() => output.frames.length > before, 'a frame after the resize');
    },
    waitFor: until,
    unmount: () => instance.unmount(),
  };
}
