/**
 * NO_COLOR (https://no-color.org): present and not empty means no colour. Kept apart from the
 * theme so the browse command can ask before React is loaded (see prepareInk in browse.ts).
 */
export function colorsWanted(env: NodeJS.ProcessEnv): boolean {
  const v = env.NO_COLOR;
  return v === undefined || v === '';
}
