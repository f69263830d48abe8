import type { ReactNode } from 'react';
import type { ResultLinearize } from '../job/result';
import { About } from './About';
import type { AppState } from './appState';
import { LiveCharts } from './LiveCharts';
import { ResultsView } from './ResultsView';

interface ResultsPaneProps {
  state: AppState;
  onFocusLayer: (layer: number | null) => void;
  onExportJson: () => void;
  /** Null where the shown result has no hidden states in this tab (opened from a link or a file). */
  onExportHidden: (() => void) | null;
  /** The sharing controls shown with a finished result. */
  share: ReactNode;
  /** The block-replacement experiment's controls, under the linearity chart of a finished result. */
  experiment: ReactNode;
  /** The experiment running on the result, as far as it got. */
  liveLinearize: ResultLinearize | null;
  selectedBlocks: readonly number[];
  onToggleBlock: (block: number) => void;
}

/**
 * The results column: a run filling in pair by pair, else the last result (kept, marked stale,
 * while a new run loads), else what LinScope is.
 */
export function ResultsPane({
  state,
  onFocusLayer,
  onExportJson,
  onExportHidden,
  share,
  experiment,
  liveLinearize,
  selectedBlocks,
  onToggleBlock,
}: ResultsPaneProps) {
  return (
    <section className="app__results" aria-label="Results">
      {state.partial ? (
        <LiveCharts partial={state.partial} focusLayer={state.focusLayer} onFocusLayer={onFocusLayer} />
      ) : state.result ? (
        <ResultsView
          result={state.result}
          stale={state.stale}
          focusLayer={state.focusLayer}
          onFocusLayer={onFocusLayer}
          onExportJson={onExportJson}
          onExportHidden={onExportHidden}
          share={share}
          experiment={experiment}
          liveLinearize={liveLinearize}
          selectedBlocks={selectedBlocks}
          onToggleBlock={onToggleBlock}
        />
      ) : (
        <About />
      )}
    </section>
  );
}
