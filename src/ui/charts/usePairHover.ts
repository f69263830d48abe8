import { useCallback, useState } from 'react';

export interface PairHover {
  /** The pair under the pointer or keyboard focus, null for none. */
  readonly hover: number | null;
  /** The pointer entered, or focus moved to, pair `layer`. */
  enter(layer: number): void;
  /** The pointer or focus left pair `layer`: cleared only if it is still the hovered one. */
  leave(layer: number): void;
}

/**
 * Which pair the linearity chart's tooltip is for. Leaving a pair clears the hover only if no
 * other pair has taken it since: entering the next column can come before leaving the last.
 */
export function usePairHover(): PairHover {
  const [hover, setHover] = useState<number | null>(null);
  const enter = useCallback((layer: number) => setHover(layer), []);
  const leave = useCallback((layer: number) => setHover((h) => (h === layer ? null : h)), []);
  return { hover, enter, leave };
}
