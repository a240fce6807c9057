/** The terminal's size, updated on resize so the screens re-lay themselves. */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { TerminalSize } from './screen.js';

/** What a stream that is not a terminal (a test's fake stdout) is taken to be. */
export const FALLBACK_SIZE: TerminalSize = { rows: 24, columns: 80 };

function sizeOf(stream: NodeJS.WriteStream): TerminalSize {
  return {
    rows: stream.rows > 0 ? stream.rows : FALLBACK_SIZE.rows,
    columns: stream.columns > 0 ? stream.columns : FALLBACK_SIZE.columns,
  };
}

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const onResize = (): void => setSize(sizeOf(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
