import { useEffect, useRef } from 'react';
import type { Status } from './appState';

/**
 * When a run finishes, put the keyboard (and a screen reader's attention) on its results: the
 * Analyze button was disabled meanwhile, so focus fell to the page. Focus the user moved elsewhere
 * meanwhile (typing the next prompt, say) stays where it is.
 */
export function useFocusOnDone(status: Status, targetId: string, analyzeButtonTestId: string): void {
  const previous = useRef<Status>(status);
  useEffect(() => {
    const was = previous.current;
    previous.current = status;
    if (status !== 'done' || (was !== 'loading' && was !== 'running')) return;
    const active = document.activeElement;
    const focusIsFree =
      active === null ||
      active === document.body ||
      active.getAttribute('data-testid') === analyzeButtonTestId;
    if (focusIsFree) document.getElementById(targetId)?.focus();
  }, [status, targetId, analyzeButtonTestId]);
}
