/** What long analyses accept besides their inputs. */
export interface RunControl {
  /** Checked between layer pairs; an aborted signal rejects with its reason (an `AbortError`). */
  readonly signal?: AbortSignal;
  /** Called after each unit of work (a layer pair or a state) with the count done and the total. */
  readonly onProgress?: (progress: AnalysisProgress) => void;
}

export interface AnalysisProgress {
  /** Which pass is running: fitting reference maps, scoring pairs, or companion metrics. */
  readonly stage: 'fit' | 'score' | 'companions';
  readonly done: number;
  readonly total: number;
}

/** Throws the signal's reason (a DOMException named AbortError by default) when it was aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}
