/**
 * Why the result on screen is not the answer to the page's inputs as they stand, in words the
 * results column shows above it; null when it is.
 */
import type { Status } from './appState';
import { joinWords } from './experimentRequest';

export function staleNote(status: Status, stale: boolean, changed: readonly string[]): string | null {
  if (stale && (status === 'loading' || status === 'running'))
    return 'A new analysis is under way; this is the previous result until it is done.';
  if (stale && status === 'error')
    return 'The last analysis failed (the reason is above); this is the previous result.';
  if (changed.length > 0)
    return `The ${joinWords(changed)} changed since this result was computed: press Analyze to update it.`;
  return null;
}
