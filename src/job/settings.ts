/**
 * The settings of an analysis and their defaults. A module of its own, free of imports, so that the
 * permalink format (src/share) and Node tools read the same defaults the worker uses.
 */
export interface AnalysisSettings {
  excludeBos: boolean;
  excludeMassive: boolean;
  /** Share of the run's tokens held out for the split held-out score (0 turns it off). */
  heldOutFraction: number;
  /** Longest window run at once; capped at the model's context length. */
  maxWindow: number;
  /** Quantile of the reference errors that marks a flash. */
  flashQuantile: number;
  intrinsicDimension: boolean;
}

export const DEFAULT_SETTINGS: AnalysisSettings = {
  excludeBos: false,
  excludeMassive: false,
  heldOutFraction: 0.25,
  maxWindow: 1024,
  flashQuantile: 0.99,
  intrinsicDimension: false,
};
