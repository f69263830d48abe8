import type { AppState } from './appState';
import { describeProgress, describeTimeLeft, progressFraction } from './appState';
import type { BackendState } from './useBackend';
import './RunStatus.css';

/**
 * Where the run is: the contract's `status` element (with `data-state`), one progress bar across
 * the run's phases with the time left (the step's own bar while the model loads), and errors.
 */
export function RunStatus({ state, backend }: { state: AppState; backend: BackendState }) {
  const runtimeFailed = backend.status === 'failed';
  const dataState = runtimeFailed
    ? 'error'
    : backend.status === 'probing' && state.status === 'idle'
      ? 'loading'
      : state.status;
  const overall = state.status === 'running' ? state.overall : null;
  const fraction = overall ? overall.fraction : progressFraction(state.progress);
  const timeLeft = overall ? describeTimeLeft(overall.secondsLeft) : '';
  const text =
    dataState === 'error'
      ? 'Something went wrong.'
      : backend.status === 'probing' && state.status === 'idle'
        ? 'Starting the runtime…'
        : state.status === 'idle'
          ? 'Ready.'
          : state.status === 'done'
            ? 'Done.'
            : describeProgress(state.progress) || 'Loading the model…';
  const error = runtimeFailed ? `${backend.message} Choose another backend above.` : state.error;
  return (
    <div className="run-status">
      <p data-testid="status" data-state={dataState} className="run-status__line" aria-live="polite">
        {text}
      </p>
      {(state.status === 'loading' || state.status === 'running') && (
        <p className="run-status__overall">
          <progress
            data-testid="progress"
            data-overall={overall ? 'true' : 'false'}
            max={1}
            value={fraction ?? undefined}
            aria-label={overall ? 'Progress of the whole analysis' : 'Progress'}
          />
          {timeLeft && (
            <span className="muted" data-testid="time-left">
              {timeLeft}
            </span>
          )}
        </p>
      )}
      {error && dataState === 'error' && (
        <p role="alert" data-testid="error-message" className="run-status__error">
          {error}
        </p>
      )}
    </div>
  );
}
