import type { ResultPerToken } from '../job/result';
import { referenceNote } from './referenceNote';

/** What the per-token maps were fitted on and how well they are calibrated, under the heatmap. */
export function ReferenceNoteView({ perToken }: { perToken: ResultPerToken }) {
  const { summary, warning } = referenceNote(perToken);
  return (
    <div className="reference-note">
      <p className="muted" data-testid="reference-note">
        {summary}
      </p>
      {warning && (
        <p className="notice" role="alert" data-testid="reference-warning">
          {warning}
        </p>
      )}
    </div>
  );
}
