import type { ReactNode } from 'react';
import type { ResultLinearize } from '../job/result';
import { About } from './About';
import type { AppState } from './appState';
import { LiveCharts } from './LiveCharts';
import { describeReferenceProgress, ReferenceProgress } from './ReferenceProgress';
import { ResultsView } from './ResultsView';

/** Why a first view's result JSON is not exported: it would not be the contract's result. */
const FIRST_VIEW_EXPORT =
  'The result JSON is exported once the reference part is in (it is the command line’s result, per-token values included); each chart’s own exports work now.';
const KEPT_EXPORT =
  'No result JSON for a run cancelled before its reference part: press Analyze to finish it. Each chart’s own exports work.';

interface ResultsPaneProps {
  state: AppState;
  onFocusLayer: (layer: number | null) => void;
  onExportJson: () => void;
  /** Null where the shown result has no hidden states in this tab (opened from a link or a file). */
  onExportHidden: (() => void) | null;
  /** Why the result shown is not the answer to the page's inputs now (`staleNote`), or null. */
  staleNote: string | null;
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
 * The results column: a run filling in pair by pair, then its first view (everything that needs no
 * reference) while the reference is fitted; else the first view of a run cancelled then; else the
 * last result (kept, marked stale, while a new run loads); else what LinScope is.
 */
export function ResultsPane({
  state,
  onFocusLayer,
  onExportJson,
  onExportHidden,
  staleNote,
  share,
  experiment,
  liveLinearize,
  selectedBlocks,
  onToggleBlock,
}: ResultsPaneProps) {
  // A first view on screen: the run's own while its reference part runs, or a cancelled run's.
  const firstView = state.partial?.firstView
    ? {
        result: state.partial,
        testId: 'live-results' as const,
        note: state.partial.checking ? (
          <p className="muted" data-testid="reference-view-note" role="status">
            Per-token values are in. The reference fit is being checked on held-out reference text; its flash
            rates there, and the note on how this text compares, come with the result.{' '}
            <span data-testid="reference-progress-text">
              {describeReferenceProgress(state.progress, state.plan?.phases ?? null)}
            </span>
          </p>
        ) : (
          <p className="muted" data-testid="first-view-note">
            First view: scored on your text alone, without the reference.
          </p>
        ),
        heatmapNote: <ReferenceProgress progress={state.progress} plan={state.plan?.phases ?? null} />,
        exportJsonDisabled: FIRST_VIEW_EXPORT,
      }
    : !state.partial && state.keptFirstView
      ? {
          result: state.keptFirstView,
          testId: undefined,
          note: (
            <p className="results__stale-note" data-testid="without-reference-note" role="status">
              Cancelled while the reference was fitted: these numbers are without the reference (in-sample,
              and held out within your text); there are no per-token values.
            </p>
          ),
          heatmapNote:
            'No per-token values: the run was cancelled before its reference part. Press Analyze to finish it.',
          exportJsonDisabled: KEPT_EXPORT,
        }
      : null;
  return (
    <section className="app__results" aria-label="Results">
      {firstView ? (
        <ResultsView
          {...firstView}
          stale={false}
          staleNote={null}
          focusLayer={state.focusLayer}
          onFocusLayer={onFocusLayer}
          onExportJson={onExportJson}
          onExportHidden={null}
        />
      ) : state.partial ? (
        <LiveCharts partial={state.partial} focusLayer={state.focusLayer} onFocusLayer={onFocusLayer} />
      ) : state.result ? (
        <ResultsView
          result={state.result}
          stale={state.stale}
          staleNote={staleNote}
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
