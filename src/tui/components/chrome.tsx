/** The title bar (input name and breadcrumbs) and the status bar (key hints or a message). */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { keepEnd } from '../format.js';
import { toneColor, useTheme } from '../theme.js';

export function TitleBar(props: {
  readonly left: string;
  readonly crumbs: readonly string[];
  readonly width: number;
}): ReactNode {
  const theme = useTheme();
  const path = props.crumbs.join(' › ');
  const room = Math.max(0, props.width - props.left.length - 3);
  return (
    <Box height={1} flexShrink={0}>
      <Text wrap="truncate-end" bold color={toneColor(theme, 'title')}>
        {props.left}
        {room > 0 ? ` │ ${keepEnd(path, room)}` : ''}
      </Text>
    </Box>
  );
}

/** A key hint: `[key] what`. */
export interface Hint {
  readonly key: string;
  readonly does: string;
}

export function StatusBar(props: {
  readonly hints: readonly Hint[];
  readonly message: string | null;
}): ReactNode {
  const theme = useTheme();
  if (props.message !== null) {
    return (
      <Box height={1} flexShrink={0}>
        <Text wrap="truncate-end" color={toneColor(theme, 'warning')} bold>
          {props.message}
        </Text>
      </Box>
    );
  }
  return (
    <Box height={1} flexShrink={0}>
      <Text wrap="truncate-end" dimColor={!theme.color}>
        {props.hints.map((h, i) => (
          <Text key={h.key}>
            {i > 0 ? '  ' : ''}
            <Text color={toneColor(theme, 'key')} bold>
              {h.key}
            </Text>{' '}
            {h.does}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
