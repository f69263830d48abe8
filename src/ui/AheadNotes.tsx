import './AheadNotes.css';
import { type LoadAheadState, loadAheadText } from './useLoadAhead';
import { type ReferenceAheadState, referenceAheadText } from './useReferenceAhead';

interface AheadNotesProps {
  loadAhead: LoadAheadState;
  referenceAhead: ReferenceAheadState;
  onStopReference: () => void;
}

/**
 * What the page does ahead of Analyze: the chosen model loading (then loaded), and the reference
 * being fitted (with Stop), fitted or stopped. Shown below Analyze, not above it: these lines come
 * and go in the first seconds after a model is chosen, and above the button they moved it while
 * the user reached for it.
 */
export function AheadNotes({ loadAhead, referenceAhead, onStopReference }: AheadNotesProps) {
  const loadNote = loadAheadText(loadAhead);
  if (loadNote === null) return null;
  const referenceNote = loadAhead === 'ready' ? referenceAheadText(referenceAhead) : null;
  return (
    <div className="ahead-notes">
      <p className="hint" data-testid="model-load-ahead" data-state={loadAhead}>
        {loadNote}
      </p>
      {referenceNote && (
        <p className="hint" data-testid="reference-ahead" data-state={referenceAhead.kind}>
          <span data-testid="reference-ahead-text">{referenceNote}</span>
          {referenceAhead.kind === 'fitting' && (
            <>
              {' '}
              <button type="button" data-testid="reference-ahead-stop" onClick={onStopReference}>
                Stop
              </button>
            </>
          )}
        </p>
      )}
    </div>
  );
}
