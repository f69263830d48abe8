/** Where a job is, as one union keyed by `stage`: loading, forward passes, fits and scores. */
import type { AnalysisProgress } from '../analysis';
import type { LoadProgress } from '../model/hiddenStateModel';

export type JobProgress =
  | LoadProgress
  | { stage: 'forward'; of: 'input' | 'reference'; window: number; windows: number }
  /** The model writing its own reference text: `done` of `total` samples. */
  | { stage: 'sample'; done: number; total: number }
  /** Block-replacement runs of the model: `done` of `total` (windows x variants). */
  | { stage: 'replace'; done: number; total: number }
  | AnalysisProgress;
