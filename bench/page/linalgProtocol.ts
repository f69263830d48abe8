/** Messages between the linear-algebra bench page and its worker. */
export interface LinalgRequest {
  readonly layers: number;
  readonly tokens: number;
  readonly hidden: number;
  readonly repeats: number;
  /** Pair workers for the parallel runs (the page's default: every core, at most 8). */
  readonly threads: number;
}

export type LinalgMessage =
  | {
      readonly type: 'timed';
      /** Best of `repeats`, seconds: every pair scored on the worker's own thread. */
      readonly oneThread: number;
      /** Best of `repeats`, seconds: the pairs split over fresh pair workers, their start included. */
      readonly parallel: number;
      readonly threads: number;
      /** The kernel the worker's products ran on (`kernelKind`). */
      readonly kernel: string;
      /** Scores with the residual stream, pair by pair (the same from both runs, checked). */
      readonly linearity: (number | null)[];
    }
  | { readonly type: 'error'; readonly message: string };
