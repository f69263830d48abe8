/**
 * The block-replacement experiment's run state, beside the analysis's (appState.ts) and with the
 * same statuses: idle | loading (the model with replaceable blocks) | running (fits and model
 * runs) | done | error. The experiment's result is not kept here: it joins the result on screen.
 */
import type { JobProgress } from '../job/progress';
import type { Status } from './appState';

export interface ExperimentState {
  status: Status;
  progress: JobProgress | null;
  /** Why the last experiment failed or was refused (shown; everything else on the page stays). */
  error: string | null;
}

export type ExperimentAction =
  | { type: 'start' }
  | { type: 'progress'; progress: JobProgress }
  | { type: 'done' }
  | { type: 'failed'; message: string }
  | { type: 'cancelled' };

export const INITIAL_EXPERIMENT: ExperimentState = { status: 'idle', progress: null, error: null };

const LOADING_STAGES = new Set(['download', 'augment', 'ready']);

export function experimentReducer(state: ExperimentState, action: ExperimentAction): ExperimentState {
  switch (action.type) {
    case 'start':
      return { status: 'loading', progress: null, error: null };
    case 'progress':
      // A late progress event of a job that has ended changes nothing.
      if (state.status !== 'loading' && state.status !== 'running') return state;
      return {
        ...state,
        progress: action.progress,
        status: LOADING_STAGES.has(action.progress.stage) ? 'loading' : 'running',
      };
    case 'done':
      return { status: 'done', progress: null, error: null };
    case 'failed':
      return { status: 'error', progress: null, error: action.message };
    case 'cancelled':
      return { status: 'idle', progress: null, error: null };
  }
}
