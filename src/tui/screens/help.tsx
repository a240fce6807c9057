/** `?`: every key, on one screen. */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Hint } from '../components/chrome.js';
import { scrollOffset } from '../cursor.js';
import { fit } from '../format.js';
import { listMove, type KeyPress } from '../keys.js';
import { bodyHeight, update, type BrowserContext, type Transition } from '../screen.js';
import { toneColor, useTheme } from '../theme.js';

export interface HelpScreen {
  readonly kind: 'help';
  readonly offset: number;
}

export function helpScreen(): HelpScreen {
  return { kind: 'help', offset: 0 };
}

const SECTIONS: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, string]>]> = [
  [
    'everywhere',
    [
      ['↑ ↓  k j', 'move the selection'],
      ['PgUp PgDn  b space', 'a page up or down'],
      ['g G  Home End', 'first or last row'],
      ['Enter', 'open what is selected'],
      ['Esc  Backspace', 'back to the previous screen (the breadcrumbs show the path)'],
      ['?', 'this help; Esc or ? closes it'],
      ['q  Ctrl-C', 'quit'],
    ],
  ],
  [
    'service list',
    [
      ['/', 'filter as you type (words match name, type, IPs, ports); Enter keeps it, Esc clears'],
      ['t', 'trace a packet to the selected service'],
      ['c', 'list every chain of the dump'],
      ['r', 'the rules behind the selected service'],
    ],
  ],
  [
    'service',
    [
      ['Enter', 'open the selected chain or endpoint chain'],
      ['c', 'open the service chain (KUBE-SVC, else SVL/EXT/FW/XLB)'],
      ['t', 'trace a packet to this service'],
      ['r  R', 'the rules of the selected row / of the whole service'],
    ],
  ],
  [
    'chain',
    [
      ['Enter  →  l', 'follow the selected rule’s jump to its chain'],
      ['r', 'the chain’s rules as iptables-save prints them'],
      ['s', 'the service port this chain belongs to'],
    ],
  ],
  [
    'trace',
    [
      ['Tab  Shift-Tab', 'next / previous field'],
      ['← →', 'change origin (pod, node, external) or protocol'],
      ['Enter', 'run the trace; on a result, open the chain of its deciding rule'],
      ['r', 'the rules on the selected outcome’s path'],
    ],
  ],
];

function helpLines(): Array<{ readonly text: string; readonly heading: boolean }> {
  const out: Array<{ text: string; heading: boolean }> = [];
  for (const [title, keys] of SECTIONS) {
    if (out.length > 0) out.push({ text: '', heading: false });
    out.push({ text: title, heading: true });
    for (const [key, does] of keys) out.push({ text: `  ${fit(key, 20)} ${does}`, heading: false });
  }
  return out;
}

export function helpKey(screen: HelpScreen, key: KeyPress, ctx: BrowserContext): Transition | null {
  if (key.text === '?') return { kind: 'pop' };
  const move = listMove(key);
  if (move === null) return null;
  return update({
    ...screen,
    offset: scrollOffset(screen.offset, move, helpLines().length, bodyHeight(ctx.size)),
  });
}

export function helpHints(): Hint[] {
  return [
    { key: 'esc/?', does: 'close' },
    { key: 'q', does: 'quit' },
  ];
}

export function HelpView(props: {
  readonly screen: HelpScreen;
  readonly ctx: BrowserContext;
}): ReactNode {
  const theme = useTheme();
  const height = bodyHeight(props.ctx.size);
  const lines = helpLines().slice(props.screen.offset, props.screen.offset + height);
  return (
    <Box flexDirection="column" height={height}>
      {lines.map((line, i) => (
        <Box key={i} height={1}>
          <Text
            wrap="truncate-end"
            bold={line.heading}
            color={line.heading ? toneColor(theme, 'heading') : undefined}
          >
            {line.text === '' ? ' ' : line.text}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
