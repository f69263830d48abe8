import { type ReactNode, useState } from 'react';
import {
  isCompleteResult,
  type LinScopeResult,
  type PartialResult,
  type ResultLinearize,
} from '../job/result';
import { CompanionCharts, FlashList, LinearityChart, NonlinearityHeatmap, TokenTextView } from './charts';
import { tokenLabel } from './charts/tokenLabel';
import { ExperimentResults } from './ExperimentResults';
import { LogitLensGrid } from './LogitLensGrid';
import { ReferenceNoteView } from './ReferenceNoteView';
import './ResultsView.css';

interface ResultsViewProps {
  /**
   * A finished result, or a run's first view (everything that needs no reference), or its reference
   * view (everything but the reference fit's check, `checking`).
   */
  result: LinScopeResult | PartialResult;
  /** The root's test id: `results`, or `live-results` for a run's first view. */
  testId?: 'results' | 'live-results';
  /** What the heatmap's place says while there are no per-token values (the reference's progress). */
  heatmapNote?: ReactNode;
  /** A note above the charts (e.g. that these numbers are without the reference). */
  note?: ReactNode;
  /** Why the result JSON cannot be exported (the button is disabled and says so), or null. */
  exportJsonDisabled?: string | null;
  /** The result is from an earlier run while a new one is under way. */
  stale: boolean;
  /** Why this result is not the answer to the page's inputs now, shown above it; or null. */
  staleNote: string | null;
  focusLayer: number | null;
  onFocusLayer: (layer: number | null) => void;
  onExportJson: () => void;
  /** Null where the shown result has no hidden states in this tab (opened from a link or a file). */
  onExportHidden: (() => void) | null;
  /** Sharing controls and where the result came from (SharePanel), shown under the exports. */
  share?: ReactNode;
  /** The block-replacement experiment's controls (ExperimentPanel), under the linearity chart. */
  experiment?: ReactNode;
  /** The experiment running on this result, as far as it got (drawn instead of `result.linearize`). */
  liveLinearize?: ResultLinearize | null;
  /** Blocks picked for the experiment, shown on the linearity chart; shift-click there toggles them. */
  selectedBlocks?: readonly number[];
  onToggleBlock?: (block: number) => void;
}

/** The results' heading: where focus goes when a run the user started is done (`useFocusOnDone`). */
export const RESULTS_HEADING_ID = 'results-heading';

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(4));

/** One result: the charts, the block-replacement experiment, the per-layer numbers, and the exports. */
export function ResultsView({
  result,
  testId = 'results',
  heatmapNote,
  note,
  exportJsonDisabled = null,
  stale,
  staleNote,
  focusLayer,
  onFocusLayer,
  onExportJson,
  onExportHidden,
  share,
  experiment,
  liveLinearize,
  selectedBlocks,
  onToggleBlock,
}: ResultsViewProps) {
  const linearize = liveLinearize ?? result.linearize;
  // Every choice of a token counts, even of the one focused already: the heatmap and the text view
  // bring it back into view after the user has moved away.
  const [tokenChoice, setTokenChoice] = useState<{ token: number | null; count: number }>({
    token: null,
    count: 0,
  });
  const focusToken = tokenChoice.token;
  const setFocusToken = (token: number) => setTokenChoice((c) => ({ token, count: c.count + 1 }));
  const first = result.layers[0];
  const reference = result.perToken?.reference;
  // The finished result (null for a first view): what the experiment's results are drawn against.
  const complete = isCompleteResult(result) ? result : null;
  return (
    <div
      className={`results${stale ? ' results--stale' : ''}`}
      data-testid={testId}
      data-view={complete ? 'complete' : result.perToken !== undefined ? 'reference-view' : 'first-view'}
      aria-busy={stale || complete === null}
    >
      {staleNote && (
        <p className="results__stale-note" data-testid="stale-note" role="status">
          {staleNote}
        </p>
      )}
      <header className="results__header">
        <h2 id={RESULTS_HEADING_ID} tabIndex={-1} data-testid="results-heading">
          {result.model.id} <span className="muted">({result.model.dtype})</span>
        </h2>
        <p className="muted" data-testid="result-summary">
          {result.tokens.length} tokens · {result.model.layers} layers · d = {result.model.hidden}
          {first
            ? ` · chance floor ${first.chanceFloor === null ? 'n/a (n ≤ d)' : fmt(first.chanceFloor)}`
            : ''}
          {reference ? ` · per-token maps fitted on ${reference.name} (${reference.tokens} tokens)` : ''}
        </p>
        {note}
        <div className="row">
          <button
            type="button"
            data-testid="export-json"
            onClick={onExportJson}
            disabled={exportJsonDisabled !== null}
            title={exportJsonDisabled ?? undefined}
            aria-describedby={exportJsonDisabled ? 'export-json-disabled' : undefined}
          >
            Export result JSON
          </button>
          <button
            type="button"
            data-testid="export-hidden"
            onClick={onExportHidden ?? undefined}
            disabled={stale || onExportHidden === null}
            title={
              onExportHidden === null
                ? 'Hidden states are kept only for an analysis run in this tab: press Analyze to compute them.'
                : undefined
            }
          >
            Export hidden states (.safetensors)
          </button>
          {exportJsonDisabled && (
            <span id="export-json-disabled" className="muted" data-testid="export-json-disabled">
              {exportJsonDisabled}
            </span>
          )}
        </div>
        {share}
      </header>
      <LinearityChart
        result={result}
        focusLayer={focusLayer}
        onFocusLayer={onFocusLayer}
        selectedBlocks={selectedBlocks}
        onToggleBlock={onToggleBlock}
      />
      {experiment}
      {linearize && complete && <ExperimentResults result={complete} linearize={linearize} />}
      <NonlinearityHeatmap
        result={result}
        focusLayer={focusLayer}
        onFocusLayer={onFocusLayer}
        focusToken={focusToken}
        focusRequest={tokenChoice.count}
        onFocusToken={setFocusToken}
        note={heatmapNote}
        renderTooltipExtra={
          result.logitLens
            ? (cell) => {
                // Pair l -> l+1 ends in state l+1: what the model would predict from there.
                const lens = result.logitLens!;
                const id = lens.topId[cell.layer + 1]?.[cell.token];
                if (id === undefined) return null;
                const p = lens.topProb[cell.layer + 1][cell.token];
                return (
                  <span data-testid="heatmap-lens">
                    Logit lens after this pair: “{tokenLabel(lens.tokenText[id] ?? '')}” (
                    {(p * 100).toFixed(1)}%)
                  </span>
                );
              }
            : undefined
        }
      />
      {result.perToken && <ReferenceNoteView perToken={result.perToken} />}
      <TokenTextView
        result={result}
        focusLayer={focusLayer}
        onFocusLayer={onFocusLayer}
        focusToken={focusToken}
        focusRequest={tokenChoice.count}
        onFocusToken={setFocusToken}
      />
      <FlashList
        result={result}
        focusLayer={focusLayer}
        focusToken={focusToken}
        onFocusLayer={onFocusLayer}
        onFocusToken={setFocusToken}
      />
      {result.logitLens ? (
        <LogitLensGrid
          result={result}
          lens={result.logitLens}
          focusToken={focusToken}
          onFocusToken={setFocusToken}
        />
      ) : (
        result.logitLens === undefined &&
        onExportHidden === null && (
          // A result from a link (or an older file) has no lens, and none can be made without the model.
          <p className="hint results__lens-note" data-testid="logit-lens-note">
            Logit lens left out: links do not carry it, and it can only be computed by running the model,
            whose files were not loaded for this result. Analyze the text where the model is available to see
            it.
          </p>
        )
      )}
      <CompanionCharts result={result} focusLayer={focusLayer} />
      <details className="layer-table-details">
        <summary>All numbers, per layer pair</summary>
        <table className="layer-table" data-testid="layer-table">
          <caption>Linearity of each layer pair (n = tokens used, d = hidden size)</caption>
          <thead>
            <tr>
              <th scope="col">Pair</th>
              <th scope="col">With residual</th>
              <th scope="col">Without residual</th>
              <th scope="col">Held-out</th>
              <th scope="col">Chance floor</th>
              <th scope="col">n</th>
            </tr>
          </thead>
          <tbody>
            {result.layers.map((layer, l) => (
              <tr
                key={layer.pair.join('-')}
                className={focusLayer === l ? 'is-focused' : undefined}
                data-layer={l}
              >
                <th scope="row">
                  {layer.pair[0]}→{layer.pair[1]}
                  {layer.isLast ? ' (final norm)' : ''}
                </th>
                <td data-value={layer.linearity ?? ''} title={layer.reason ?? undefined}>
                  {fmt(layer.linearity)}
                </td>
                <td data-value={layer.linearityNoResidual ?? ''}>{fmt(layer.linearityNoResidual)}</td>
                <td data-value={layer.heldOut?.linearity ?? ''} title={layer.heldOut?.reason ?? undefined}>
                  {fmt(layer.heldOut?.linearity)}
                </td>
                <td>{fmt(layer.chanceFloor)}</td>
                <td>{layer.n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
