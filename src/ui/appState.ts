/**
 * The explorer's state machine. `status` is the contract's `data-state`:
 * idle | loading (model download / preparation) | running (forward passes, fits, scores) | done | error.
 * A new run keeps the previous result on screen until the new one arrives, so nothing is lost.
 * A run cancelled while its reference was being fitted keeps its first view (`keptFirstView`).
 */

import {
  type ForwardOf,
  type JobProgress,
  overallFraction,
  type ProgressPlan,
  secondsLeft,
} from '../job/progress';
import { firstViewOnly, type LinScopeResult, type PartialResult } from '../job/result';
import type { ModelDtype } from '../model/config';

export type Status = 'idle' | 'loading' | 'running' | 'done' | 'error';

/** A model with one kind of weights, as the picker chooses it and a run is sent it. */
export interface ChosenModel {
  readonly id: string;
  readonly dtype: ModelDtype;
}

export interface AppState {
  status: Status;
  progress: JobProgress | null;
  result: LinScopeResult | null;
  /** The result on screen came from an earlier run while a new one is under way or failed. */
  stale: boolean;
  error: string | null;
  /**
   * The model the failed run was for, or null where the error is not about a model (the text could
   * not be split into documents): choosing another model clears an error that was for another one.
   */
  errorModel: ChosenModel | null;
  focusLayer: number | null;
  /** The run under way, as far as it got (shown while it fills in). */
  partial: PartialResult | null;
  /** The run's phases and expected costs, and when they started (ms, the page's clock). */
  plan: { phases: ProgressPlan; startedAt: number } | null;
  /** Where the run is across all its phases (0..1), and the seconds left at the rate so far. */
  overall: { fraction: number; secondsLeft: number | null } | null;
  /**
   * The first view of a run cancelled while its reference was run or fitted: every pair scored on
   * the text, without the reference (no per-token values, split held-out scores). Shown instead
   * of `result` until the next run; never exported, shared or remembered as a result.
   */
  keptFirstView: PartialResult | null;
}

export type AppAction =
  | { type: 'start' }
  /** `at`: when it arrived (ms, the page's clock), for the time left. */
  | { type: 'progress'; progress: JobProgress; at?: number }
  | { type: 'plan'; plan: ProgressPlan; at: number }
  | { type: 'partial'; partial: PartialResult }
  | { type: 'done'; result: LinScopeResult }
  /** `model`: the model the run was for, when the failure is about it. */
  | { type: 'failed'; message: string; model?: ChosenModel }
  | { type: 'cancelled' }
  /** The picker's model or weights are now `model`: an error of a run for another one goes. */
  | { type: 'model'; model: ChosenModel }
  | { type: 'focus'; layer: number | null }
  | { type: 'show'; result: LinScopeResult };

export const INITIAL_STATE: AppState = {
  status: 'idle',
  progress: null,
  result: null,
  stale: false,
  error: null,
  errorModel: null,
  focusLayer: null,
  partial: null,
  plan: null,
  overall: null,
  keptFirstView: null,
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
        errorModel: null,
        stale: state.result !== null,
        partial: null,
        plan: null,
        overall: null,
        keptFirstView: null,
      };
    case 'plan':
      return state.status === 'loading' || state.status === 'running'
        ? {
            ...state,
            plan: { phases: action.plan, startedAt: action.at },
            overall: { fraction: 0, secondsLeft: null },
          }
        : state;
    case 'partial':
      return state.status === 'loading' || state.status === 'running'
        ? { ...state, partial: action.partial }
        : state;
    case 'progress': {
      const fraction = state.plan ? overallFraction(state.plan.phases, action.progress) : null;
      const overall =
        fraction === null || state.plan === null
          ? state.overall
          : {
              // Never backwards: a phase the plan did not expect must not pull the bar back.
              fraction: Math.max(fraction, state.overall?.fraction ?? 0),
              secondsLeft:
                action.at === undefined ? null : secondsLeft(fraction, action.at - state.plan.startedAt),
            };
      return {
        ...state,
        progress: action.progress,
        status: statusOfProgress(action.progress),
        overall,
      };
    }
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
        errorModel: null,
        focusLayer,
        partial: null,
        plan: null,
        overall: null,
        keptFirstView: null,
      };
    }
    case 'failed':
      return {
        ...state,
        status: 'error',
        progress: null,
        error: action.message,
        errorModel: action.model ?? null,
        partial: null,
        plan: null,
        overall: null,
      };
    case 'cancelled': {
      // Cancelled while the reference was run: what needs no reference stays on screen.
      const kept = state.partial?.firstView ? firstViewOnly(state.partial) : null;
      return {
        ...state,
        status: state.result || kept ? 'done' : 'idle',
        progress: null,
        error: null,
        errorModel: null,
        partial: null,
        plan: null,
        overall: null,
        keptFirstView: kept,
      };
    }
    case 'model': {
      // Only the error of a run for another model or weights: one for this choice still applies,
      // and so does one about the text. The result on screen stays; its note says the model changed.
      const failed = state.errorModel;
      if (state.status !== 'error' || failed === null || sameModel(failed, action.model)) return state;
      return {
        ...state,
        status: state.result || state.keptFirstView ? 'done' : 'idle',
        error: null,
        errorModel: null,
        stale: false,
      };
    }
    case 'focus':
      return { ...state, focusLayer: action.layer };
  }
}

function sameModel(a: ChosenModel, b: ChosenModel): boolean {
  return a.id === b.id && a.dtype === b.dtype;
}

const FORWARD_TEXT: Record<ForwardOf, string> = {
  input: 'text',
  reference: 'reference corpus',
  'reference-check': 'reference corpus’s held-out part',
};

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
      return `Running the model on the ${FORWARD_TEXT[progress.of]}: window ${progress.window} of ${progress.windows}`;
    case 'fit':
      return `Fitting the reference maps: layer ${progress.done} of ${progress.total}`;
    case 'score':
      return `Scoring layer pairs: ${progress.done} of ${progress.total}`;
    case 'reference-score':
      return `Scoring layer pairs against the reference: ${progress.done} of ${progress.total}`;
    case 'companions':
      return `Companion metrics: ${progress.done} of ${progress.total}`;
    case 'replace':
      return `Running the model with blocks replaced: ${progress.done} of ${progress.total}`;
    case 'sample':
      return `The model is writing its own reference text: sample ${Math.min(progress.done + 1, progress.total)} of ${progress.total}`;
  }
}

/** The time left, as a person reads it: "about 12 s left", "about 3 min left"; '' when unknown. */
export function describeTimeLeft(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 1) return 'less than a second left';
  if (seconds < 90) return `about ${Math.round(seconds)} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

/** 0..1 of the current step where the run can say, else null (the overall bar is `AppState.overall`). */
export function progressFraction(progress: JobProgress | null): number | null {
  if (!progress) return null;
  switch (progress.stage) {
    case 'download':
      return progress.total > 0 ? progress.loaded / progress.total : null;
    case 'forward':
      return progress.window / progress.windows;
    case 'fit':
    case 'score':
    case 'reference-score':
    case 'companions':
    case 'replace':
    case 'sample':
      return progress.total > 0 ? progress.done / progress.total : null;
    default:
      return null;
  }
}
