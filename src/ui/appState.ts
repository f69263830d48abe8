/**
 * The explorer's state machine. `status` is the contract's `data-state`:
 * idle | loading (model download / preparation) | running (forward passes, fits, scores) | done | error.
 * A new run keeps the previous result on screen until the new one arrives, so nothing is lost.
 */

import type { JobProgress } from '../job/progress';
import type { LinScopeResult, PartialResult } from '../job/result';

export type Status = 'idle' | 'loading' | 'running' | 'done' | 'error';

export interface AppState {
  status: Status;
  progress: JobProgress | null;
  result: LinScopeResult | null;
  /** The result on screen came from an earlier run while a new one is under way or failed. */
  stale: boolean;
  error: string | null;
  focusLayer: number | null;
  /** The run under way, as far as it got (shown while it fills in). */
  partial: PartialResult | null;
}

export type AppAction =
  | { type: 'start' }
  | { type: 'progress'; progress: JobProgress }
  | { type: 'partial'; partial: PartialResult }
  | { type: 'done'; result: LinScopeResult }
  | { type: 'failed'; message: string }
  | { type: 'cancelled' }
  | { type: 'focus'; layer: number | null }
  | { type: 'show'; result: LinScopeResult };

export const INITIAL_STATE: AppState = {
  status: 'idle',
  progress: null,
  result: null,
  stale: false,
  error: null,
  focusLayer: null,
  partial: null,
};

const LOADING_STAGES = new Set(['download', 'augment', 'ready']);

/** The contract's `data-state` for a job's progress: `loading` while the model loads, then `running`. */
export function statusOfProgress(progress: JobProgress): 'loading' | 'running' {
  return LOADING_STAGES.has(progress.stage) ? 'loading' : 'running';
}

export function appReducer(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'start':
      return {
        ...state,
        status: 'loading',
        progress: null,
        error: null,
        stale: state.result !== null,
        partial: null,
      };
    case 'partial':
      return state.status === 'loading' || state.status === 'running'
        ? { ...state, partial: action.partial }
        : state;
    case 'progress':
      return {
        ...state,
        progress: action.progress,
        status: statusOfProgress(action.progress),
      };
    case 'done':
    case 'show': {
      const layers = action.result.layers.length;
      const focusLayer = state.focusLayer !== null && state.focusLayer < layers ? state.focusLayer : null;
      return {
        ...state,
        status: 'done',
        progress: null,
        result: action.result,
        stale: false,
        error: null,
        focusLayer,
        partial: null,
      };
    }
    case 'failed':
      return { ...state, status: 'error', progress: null, error: action.message, partial: null };
    case 'cancelled':
      return { ...state, status: state.result ? 'done' : 'idle', progress: null, error: null, partial: null };
    case 'focus':
      return { ...state, focusLayer: action.layer };
  }
}

/** One line a person can read for where a run is. */
export function describeProgress(progress: JobProgress | null): string {
  if (!progress) return '';
  switch (progress.stage) {
    case 'download': {
      const mb = (n: number) => (n / 1e6).toFixed(1);
      return progress.total > 0
        ? `Downloading ${progress.file}: ${mb(progress.loaded)} of ${mb(progress.total)} MB`
        : `Downloading ${progress.file}`;
    }
    case 'augment':
      return 'Preparing the model (adding every layer’s hidden state to its graph)…';
    case 'ready':
      return 'Model ready.';
    case 'forward':
      return `Running the model on the ${progress.of === 'input' ? 'text' : 'reference corpus'}: window ${progress.window} of ${progress.windows}`;
    case 'fit':
      return `Fitting the reference maps: layer ${progress.done} of ${progress.total}`;
    case 'score':
      return `Scoring layer pairs: ${progress.done} of ${progress.total}`;
    case 'companions':
      return `Companion metrics: ${progress.done} of ${progress.total}`;
    case 'replace':
      return `Running the model with blocks replaced: ${progress.done} of ${progress.total}`;
    case 'sample':
      return `The model is writing its own reference text: sample ${Math.min(progress.done + 1, progress.total)} of ${progress.total}`;
  }
}

/** 0..1 where the run can say, else null. */
export function progressFraction(progress: JobProgress | null): number | null {
  if (!progress) return null;
  switch (progress.stage) {
    case 'download':
      return progress.total > 0 ? progress.loaded / progress.total : null;
    case 'forward':
      return progress.window / progress.windows;
    case 'fit':
    case 'score':
    case 'companions':
    case 'replace':
    case 'sample':
      return progress.total > 0 ? progress.done / progress.total : null;
    default:
      return null;
  }
}
