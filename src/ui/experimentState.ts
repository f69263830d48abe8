/**
 * The block-replacement experiment's run state, beside the analysis's (appState.ts) and with the
 * same statuses: idle | loading (the model with replaceable blocks) | running (fits and model
 * runs) | done | error. The experiment's result is not kept here: it joins the result on screen;
 * only the part that has arrived while it runs (`partial`) is, so the figures fill in.
 */
import type { JobProgress } from '../job/progress';
import type { ResultLinearize } from '../job/result';
import { type Status, statusOfProgress } from './appState';

export interface ExperimentState {
  status: Status;
  progress: JobProgress | null;
  /** Why the last experiment failed or was refused (shown; everything else on the page stays). */
  error: string | null;
  /** While running: the experiment so far, joined to the result's earlier one. */
  partial: ResultLinearize | null;
}

export type ExperimentAction =
  | { type: 'start' }
  | { type: 'progress'; progress: JobProgress }
  | { type: 'partial'; partial: ResultLinearize }
  | { type: 'done' }
  | { type: 'failed'; message: string }
  | { type: 'cancelled' };

export const INITIAL_EXPERIMENT: ExperimentState = {
  status: 'idle',
  progress: null,
  error: null,
  partial: null,
};

export function experimentReducer(state: ExperimentState, action: ExperimentAction): ExperimentState {
  switch (action.type) {
    case 'start':
      return { status: 'loading', progress: null, error: null, partial: null };
    case 'progress':
      // A late progress event of a job that has ended changes nothing.
      if (state.status !== 'loading' && state.status !== 'running') return state;
      return {
        ...state,
        progress: action.progress,
        status: statusOfProgress(action.progress),
      };
    case 'partial':
      if (state.status !== 'loading' && state.status !== 'running') return state;
      return { ...state, partial: action.partial };
    case 'done':
      return { status: 'done', progress: null, error: null, partial: null };
    case 'failed':
      return { status: 'error', progress: null, error: action.message, partial: null };
    case 'cancelled':
      return { status: 'idle', progress: null, error: null, partial: null };
  }
}
