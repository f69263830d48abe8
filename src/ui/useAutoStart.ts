import { useEffect, useRef } from 'react';

/**
 * Calls `start` once, the first time `when` holds: `?run=1` waits for the runtime and for the
 * URL's model to be classified, then analyses, and never again on later renders.
 */
export function useAutoStart(when: boolean, start: () => void): void {
  const started = useRef(false);
  useEffect(() => {
    if (when && !started.current) {
      started.current = true;
      start();
    }
  }, [when, start]);
}
