import type { PartialResult } from '../job/result';
import { LinearityChart, NonlinearityHeatmap } from './charts';

interface LiveChartsProps {
  partial: PartialResult;
  focusLayer: number | null;
  onFocusLayer: (layer: number | null) => void;
}

/** A run under way: the linearity chart fills in pair by pair; the heatmap waits for its values. */
export function LiveCharts({ partial, focusLayer, onFocusLayer }: LiveChartsProps) {
  return (
    <div className="results results--live" data-testid="live-results" aria-busy="true">
      <header className="results__header">
        <h2>
          {partial.model.id} <span className="muted">({partial.model.dtype})</span>
        </h2>
        <p className="muted" data-testid="live-summary" aria-live="polite">
          {partial.tokens.length} tokens · {partial.layers.length} of {partial.model.layers} layer pairs
          scored
        </p>
      </header>
      <LinearityChart result={partial} focusLayer={focusLayer} onFocusLayer={onFocusLayer} />
      <NonlinearityHeatmap result={partial} focusLayer={focusLayer} onFocusLayer={onFocusLayer} />
    </div>
  );
}
