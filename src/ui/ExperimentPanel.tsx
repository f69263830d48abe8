import { useId } from 'react';
import { describeProgress, progressFraction } from './appState';
import { Checkbox } from './Checkbox';
import { type ExperimentKind, MAX_CONTINUATION } from './experimentRequest';
import type { ExperimentState } from './experimentState';
import './ExperimentPanel.css';

interface ExperimentPanelProps {
  /** Blocks of the model on screen (L). */
  blocks: number;
  selected: readonly number[];
  onToggle: (block: number) => void;
  maps: 'reference' | 'self';
  onMaps: (maps: 'reference' | 'self') => void;
  continuation: number;
  onContinuation: (tokens: number) => void;
  state: ExperimentState;
  /** An analysis is running, or the runtime is not up: nothing can start. */
  blocked: boolean;
  onRun: (kind: ExperimentKind) => void;
  onCancel: () => void;
}

function statusLine(state: ExperimentState): string {
  switch (state.status) {
    case 'idle':
      return 'Pick blocks, then linearize or skip them; or run the sweep over every block.';
    case 'done':
      return 'Done: the results are below.';
    case 'error':
      return 'The experiment did not run.';
    default:
      return describeProgress(state.progress) || 'Loading the model with replaceable blocks…';
  }
}

/**
 * The block-replacement experiment's controls: which blocks (the same choice as shift-clicking the
 * linearity chart, reachable by keyboard and touch), what the maps are fitted on, how long the
 * continuations are, the three ways to run it, and its progress, Cancel and errors.
 */
export function ExperimentPanel(props: ExperimentPanelProps) {
  const { state } = props;
  const mapsId = useId();
  const continuationId = useId();
  const running = state.status === 'loading' || state.status === 'running';
  const fraction = progressFraction(state.progress);
  const disabled = running || props.blocked;
  return (
    <section className="panel experiment-panel" data-testid="linearize-panel" aria-labelledby={`${mapsId}-h`}>
      <h3 id={`${mapsId}-h`} className="experiment-panel__title">
        Experiment: replace blocks
      </h3>
      <p className="hint">
        Replace a block’s output by an affine map of its input (linearize) or by its input (skip), run the
        model again, and compare its next-token predictions with the original’s. Shift-click columns of the
        chart above, or tick blocks here.
      </p>
      <fieldset className="experiment-panel__blocks" disabled={disabled}>
        <legend>Blocks</legend>
        {Array.from({ length: props.blocks }, (_, b) => (
          <Checkbox
            // biome-ignore lint/suspicious/noArrayIndexKey: one box per block, in order.
            key={b}
            testId={`linearize-block-${b}`}
            checked={props.selected.includes(b)}
            onChange={() => props.onToggle(b)}
          >
            {b}{' '}
            <span className="muted">
              ({b}→{b + 1})
            </span>
          </Checkbox>
        ))}
      </fieldset>
      <div className="row experiment-panel__options">
        <label htmlFor={mapsId}>Maps fitted on</label>
        <select
          id={mapsId}
          data-testid="linearize-maps-select"
          value={props.maps}
          disabled={disabled}
          onChange={(e) => props.onMaps(e.target.value === 'self' ? 'self' : 'reference')}
        >
          <option value="reference">the reference corpus (out of sample)</option>
          <option value="self">this text (in sample)</option>
        </select>
        <label htmlFor={continuationId}>Continuation tokens</label>
        <input
          id={continuationId}
          type="number"
          min={0}
          max={MAX_CONTINUATION}
          step={1}
          data-testid="linearize-continuation-tokens"
          value={props.continuation}
          disabled={disabled}
          onChange={(e) => props.onContinuation(Number(e.target.value))}
        />
      </div>
      <div className="row">
        <button
          type="button"
          data-testid="linearize-selected"
          disabled={disabled}
          onClick={() => props.onRun('linearize')}
        >
          Linearize selected
        </button>
        <button
          type="button"
          data-testid="skip-selected"
          disabled={disabled}
          onClick={() => props.onRun('skip')}
        >
          Skip selected
        </button>
        <button
          type="button"
          data-testid="run-sweep"
          disabled={disabled}
          onClick={() => props.onRun('sweep')}
        >
          Run the sweep
        </button>
        {running && (
          <button type="button" data-testid="linearize-cancel" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
      <p
        data-testid="linearize-status"
        data-state={state.status}
        className="run-status__line"
        aria-live="polite"
      >
        {statusLine(state)}
      </p>
      {running && (
        <progress
          data-testid="linearize-progress"
          max={1}
          value={fraction ?? undefined}
          aria-label="Experiment progress"
        />
      )}
      {state.error && (
        <p role="alert" data-testid="linearize-error" className="run-status__error">
          {state.error}
        </p>
      )}
    </section>
  );
}
