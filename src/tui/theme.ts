/**
 * Colours by meaning. With NO_COLOR set no colour is added; bold, dim and inverse stay, because
 * NO_COLOR asks for no colour, not for an unreadable screen, and every selection also carries a
 * `›` marker that needs no attribute at all.
 */
import { createContext, useContext } from 'react';

export type Tone =
  | 'title' // the top bar
  | 'heading' // column heads, section titles
  | 'link' // something Enter opens (a jump target chain)
  | 'ok'
  | 'warning'
  | 'error'
  | 'muted' // secondary text
  | 'key'; // key names in hints

export interface Theme {
  readonly color: boolean;
}

const COLOURS: Readonly<Record<Tone, string | undefined>> = {
  title: 'cyan',
  heading: 'blue',
  link: 'cyan',
  ok: 'green',
  warning: 'yellow',
  error: 'red',
  muted: undefined,
  key: 'cyan',
};

export const ThemeContext = createContext<Theme>({ color: true });

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

/** The ink `color` for a tone, or undefined when colours are off. */
export function toneColor(theme: Theme, tone: Tone): string | undefined {
  return theme.color ? COLOURS[tone] : undefined;
}
