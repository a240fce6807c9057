/**
 * Trace a packet: type `IP:PORT`, pick where it comes from and its protocol, Enter. The outcome
 * table lists where new flows end and how likely each end is; below it, the path of the selected
 * outcome rule by rule. Enter on an outcome opens the chain of the rule that decided it.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { ServicePort } from '../../kube/model.js';
import type { Rule } from '../../model/rule.js';
import { escapeText } from '../../render/escape.js';
import type {
  PacketOrigin,
  TraceOutcome,
  TraceProtocol,
  TraceResult,
  TraceStep,
} from '../../trace/types.js';
import type { Hint } from '../components/chrome.js';
import { marker, VirtualList } from '../components/virtual-list.js';
import { moveCursor, scrollOffset, TOP, type Cursor } from '../cursor.js';
import { clip, fit, fitRight, percent } from '../format.js';
import { listMove, type KeyPress } from '../keys.js';
import { bodyHeight, push, update, type BrowserContext, type Transition } from '../screen.js';
import { toneColor, useTheme, type Tone } from '../theme.js';
import {
  cycle,
  DESTINATION_EXAMPLE,
  ORIGINS,
  PROTOCOLS,
  serviceDestination,
  toRequest,
} from '../trace-form.js';
import { joinHostPort } from '../service-facts.js';
import { chainScreen } from './chain-view.js';
import { rawScreen } from './raw-view.js';

export type TraceFocus = 'destination' | 'origin' | 'protocol' | 'results';

export interface TraceScreen {
  readonly kind: 'trace';
  readonly destination: string;
  readonly origin: PacketOrigin;
  readonly protocol: TraceProtocol;
  readonly focus: TraceFocus;
  readonly result: TraceResult | null;
  /** Why the last Enter did not trace, for people. */
  readonly error: string | null;
  /** The selected outcome. */
  readonly cursor: Cursor;
  /** Show the trace's assumptions instead of the selected outcome's path. */
  readonly showAssumptions: boolean;
  /** First line shown of the path (or assumptions); PgUp/PgDn scroll it. */
  readonly detailOffset: number;
}

const MAX_DESTINATION = 64;

export function traceScreenFor(service: ServicePort | null, ctx: BrowserContext): TraceScreen {
  return {
    kind: 'trace',
    destination: service === null ? '' : serviceDestination(service, ctx.model),
    origin: 'pod',
    protocol: service?.protocol ?? 'tcp',
    focus: 'destination',
    result: null,
    error: null,
    cursor: TOP,
    showAssumptions: false,
    detailOffset: 0,
  };
}

/** True while the destination field takes typed keys (so `q` and `?` are text there). */
export function traceIsEditing(screen: TraceScreen): boolean {
  return screen.focus === 'destination';
}

function focusOrder(screen: TraceScreen): TraceFocus[] {
  return screen.result === null
    ? ['destination', 'origin', 'protocol']
    : ['destination', 'origin', 'protocol', 'results'];
}

function run(screen: TraceScreen, ctx: BrowserContext): TraceScreen {
  if (ctx.trace === null)
    return { ...screen, error: 'the packet tracer is not available in this build' };
  const request = toRequest(screen.destination, screen.origin, screen.protocol);
  if ('error' in request) return { ...screen, error: request.error, focus: 'destination' };
  try {
    const result = ctx.trace(request);
    return {
      ...screen,
      result,
      error: null,
      focus: 'results',
      cursor: TOP,
      showAssumptions: false,
      detailOffset: 0,
    };
  } catch (err) {
    return { ...screen, error: (err as Error).message, result: null, focus: 'destination' };
  }
}

interface Layout {
  readonly outcomes: number;
  readonly details: number;
}

/** Form (3 lines), a message line, the outcome heads; outcomes take up to a third of the rest. */
function layout(screen: TraceScreen, ctx: BrowserContext): Layout {
  const rest = Math.max(2, bodyHeight(ctx.size) - 5);
  const count = screen.result?.outcomes.length ?? 0;
  const outcomes = Math.max(1, Math.min(count, Math.max(3, Math.floor(rest / 3))));
  return { outcomes, details: Math.max(0, rest - outcomes - 1) };
}

function pathRules(outcome: TraceOutcome): Rule[] {
  return outcome.path.flatMap((s) => (s.rule === null ? [] : [s.rule]));
}

export function traceKey(
  screen: TraceScreen,
  key: KeyPress,
  ctx: BrowserContext,
): Transition | null {
  const order = focusOrder(screen);
  const at = order.indexOf(screen.focus);
  if (key.name === 'tab') return update({ ...screen, focus: order[(at + 1) % order.length] });
  if (key.name === 'backtab')
    return update({ ...screen, focus: order[(at - 1 + order.length) % order.length] });

  if (screen.focus === 'results' && screen.result !== null) {
    const outcomes = screen.result.outcomes;
    const lay = layout(screen, ctx);
    const move = listMove(key);
    // Pages scroll the path below; the other moves pick an outcome.
    if (move === 'pageUp' || move === 'pageDown') {
      const lines = detailLines(screen).length;
      return update({
        ...screen,
        detailOffset: scrollOffset(screen.detailOffset, move, lines, lay.details - 1),
      });
    }
    if (move !== null) {
      return update({
        ...screen,
        cursor: moveCursor(screen.cursor, move, outcomes.length, lay.outcomes),
        detailOffset: 0,
      });
    }
    const outcome: TraceOutcome | undefined = outcomes[screen.cursor.selected];
    if (key.name === 'enter' && outcome !== undefined) {
      const step = outcome.decidingStep;
      if (step.ruleNumber === 0 && step.kind !== 'policy')
        return { kind: 'message', text: 'no rule decided this outcome' };
      return push(chainScreen(step.table, step.chain, step.ruleNumber));
    }
    if (key.text === 'r' && outcome !== undefined) {
      return push(rawScreen(`path to ${outcomeDestination(outcome)}`, pathRules(outcome)));
    }
    if (key.text === 'a') {
      return update({ ...screen, showAssumptions: !screen.showAssumptions, detailOffset: 0 });
    }
    if (key.text === '/' || key.text === 'e') return update({ ...screen, focus: 'destination' });
    return null;
  }

  if (key.name === 'enter') return update(run(screen, ctx));
  if (key.name === 'down')
    return update({ ...screen, focus: order[Math.min(order.length - 1, at + 1)] });
  if (key.name === 'up') return update({ ...screen, focus: order[Math.max(0, at - 1)] });

  if (screen.focus === 'destination') {
    if (key.name === 'backspace')
      return update({ ...screen, destination: screen.destination.slice(0, -1), error: null });
    if (key.text !== '' && !key.ctrl) {
      // Only what an address and port are written with; pasted text keeps its usable part.
      const typed = key.text.replace(/[^0-9A-Fa-f.:[\]]/g, '');
      const destination = (screen.destination + typed).slice(0, MAX_DESTINATION);
      return update({ ...screen, destination, error: null });
    }
    // Esc, and everything else, is the browser's (Esc goes back).
    return key.name === 'escape' ? null : update(screen);
  }

  const step =
    key.name === 'left' || key.text === 'h'
      ? -1
      : key.name === 'right' || key.text === 'l' || key.text === ' '
        ? 1
        : 0;
  if (step !== 0) {
    return screen.focus === 'origin'
      ? update({ ...screen, origin: cycle(ORIGINS, screen.origin, step) })
      : update({ ...screen, protocol: cycle(PROTOCOLS, screen.protocol, step) });
  }
  return null;
}

export function traceCrumb(screen: TraceScreen): string {
  return screen.destination === '' ? 'trace' : `trace ${escapeText(screen.destination)}`;
}

export function traceHints(screen: TraceScreen): Hint[] {
  if (screen.focus === 'results') {
    return [
      { key: '↑↓', does: 'outcome' },
      { key: 'enter', does: 'deciding chain' },
      { key: 'r', does: 'raw path' },
      { key: 'a', does: 'assumptions' },
      { key: 'tab', does: 'form' },
      { key: 'esc', does: 'back' },
      { key: 'q', does: 'quit' },
    ];
  }
  return [
    { key: 'enter', does: 'trace' },
    { key: 'tab/↑↓', does: 'field' },
    { key: '←→', does: 'change' },
    { key: 'esc', does: 'back' },
  ];
}

function outcomeDestination(o: TraceOutcome): string {
  return o.destination === null
    ? '-'
    : escapeText(joinHostPort(o.destination.address, o.destination.port));
}

const VERDICT_TONE: Readonly<Record<TraceOutcome['verdict'], Tone>> = {
  DNAT: 'ok',
  ACCEPT: 'ok',
  DROP: 'error',
  REJECT: 'error',
};

/** The selected outcome's path and notes, or the trace's assumptions. */
function detailLines(screen: TraceScreen): string[] {
  const result = screen.result;
  const outcome = result?.outcomes[screen.cursor.selected];
  if (result === null || outcome === undefined) return [];
  if (screen.showAssumptions) return result.assumptions.map((a) => `• ${escapeText(a)}`);
  return [...outcome.path.map(stepText), ...outcome.notes.map((n) => `note: ${escapeText(n)}`)];
}

function stepText(step: TraceStep): string {
  const where =
    step.kind === 'rule'
      ? `${step.table} ${step.chain} #${step.ruleNumber}`
      : step.kind === 'policy'
        ? `${step.table} ${step.chain} policy`
        : step.kind === 'route'
          ? 'route'
          : 'note';
  const matched = step.matched.length > 0 ? `  (${step.matched.join(', ')})` : '';
  return escapeText(`${where} → ${step.target}${matched}`);
}

function Choice<T extends string>(props: {
  readonly label: string;
  readonly values: readonly T[];
  readonly value: T;
  readonly focused: boolean;
}): ReactNode {
  const theme = useTheme();
  return (
    <Box height={1}>
      <Text wrap="truncate-end">
        <Text bold={props.focused} color={props.focused ? toneColor(theme, 'key') : undefined}>
          {`${props.focused ? '›' : ' '} ${fit(props.label, 12)}`}
        </Text>
        {props.values.map((v) => (
          <Text key={v} inverse={v === props.value && props.focused} bold={v === props.value}>
            {v === props.value ? `[${v}]` : ` ${v} `}{' '}
          </Text>
        ))}
      </Text>
    </Box>
  );
}

export function TraceView(props: {
  readonly screen: TraceScreen;
  readonly ctx: BrowserContext;
}): ReactNode {
  const { screen, ctx } = props;
  const theme = useTheme();
  const lay = layout(screen, ctx);
  const editing = screen.focus === 'destination';
  const result = screen.result;
  const outcome = result?.outcomes[screen.cursor.selected];
  const message =
    screen.error ??
    (result === null
      ? `${DESTINATION_EXAMPLE}; Enter traces`
      : `${result.outcomes.length} outcome${result.outcomes.length === 1 ? '' : 's'} for ${escapeText(result.packet.source)}:${result.packet.sourcePort} → ${escapeText(joinHostPort(result.packet.destination, result.packet.destinationPort))}/${result.packet.protocol}; ${result.assumptions.length} assumptions (a)`);
  const details = detailLines(screen);
  // The last line says how many more there are when they do not all fit.
  const fits = details.length <= lay.details;
  const room = fits ? lay.details : Math.max(0, lay.details - 1);
  const from = fits ? 0 : Math.min(screen.detailOffset, Math.max(0, details.length - room));
  const shownDetails = details.slice(from, from + room);
  const hiddenDetails = details.length - from - shownDetails.length;
  return (
    <Box flexDirection="column">
      <Box height={1}>
        <Text wrap="truncate-end">
          <Text bold={editing} color={editing ? toneColor(theme, 'key') : undefined}>
            {`${editing ? '›' : ' '} ${fit('destination', 12)}`}
          </Text>
          <Text inverse={editing}>{escapeText(screen.destination)}</Text>
          {editing ? '▏' : ''}
        </Text>
      </Box>
      <Choice
        label="from"
        values={ORIGINS}
        value={screen.origin}
        focused={screen.focus === 'origin'}
      />
      <Choice
        label="protocol"
        values={PROTOCOLS}
        value={screen.protocol}
        focused={screen.focus === 'protocol'}
      />
      <Box height={1}>
        <Text
          wrap="truncate-end"
          color={screen.error !== null ? toneColor(theme, 'error') : undefined}
          dimColor={screen.error === null}
        >
          {message}
        </Text>
      </Box>
      <Box height={1}>
        <Text wrap="truncate-end" bold color={toneColor(theme, 'heading')}>
          {`  ${fitRight('SHARE', 6)} ${fit('VERDICT', 7)} ${fit('DESTINATION', 24)} ${fit('MASQ', 5)} ${fit('DELIVERY', 9)} SERVICE`}
        </Text>
      </Box>
      <VirtualList
        count={result?.outcomes.length ?? 0}
        cursor={screen.cursor}
        height={lay.outcomes}
        empty={result === null ? ' ' : 'no outcome'}
        renderRow={(i, selected) => {
          const o = (result as TraceResult).outcomes[i];
          const focused = selected && screen.focus === 'results';
          return (
            <Text wrap="truncate-end" inverse={focused}>
              {`${marker(selected)} ${fitRight(percent(o.probability), 6)} `}
              <Text color={toneColor(theme, VERDICT_TONE[o.verdict])} bold>
                {fit(o.verdict, 7)}
              </Text>
              {` ${fit(outcomeDestination(o), 24)} ${fit(o.masquerade ? 'yes' : o.markedForMasquerade ? 'mark' : 'no', 5)} ${fit(o.delivery, 9)} ${o.label === null ? '' : escapeText(o.label)}`}
            </Text>
          );
        }}
      />
      {outcome === undefined ? null : (
        <Box height={1}>
          <Text wrap="truncate-end" bold>
            {screen.showAssumptions
              ? 'assumptions (a: back to the path)'
              : `path of the ${percent(outcome.probability)} outcome (r: its rules)`}
          </Text>
        </Box>
      )}
      {shownDetails.map((line, i) => (
        <Box key={i} height={1}>
          <Text wrap="truncate-end">{`  ${clip(line, ctx.size.columns)}`}</Text>
        </Box>
      ))}
      {hiddenDetails > 0 ? (
        <Box height={1}>
          <Text dimColor>{`  … ${hiddenDetails} more (PgDn scrolls, r shows the rules)`}</Text>
        </Box>
      ) : null}
    </Box>
  );
}
