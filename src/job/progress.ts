/**
 * Where a job is, as one union keyed by `stage` (loading, forward passes, fits, scores), and the one
 * overall bar across an analysis's phases: each phase weighted by its expected cost (`planAnalysis`),
 * the position within it read off its progress events (`overallFraction`), the time left estimated
 * from the rate so far (`secondsLeft`).
 */
import type { AnalysisProgress } from '../analysis';
import type { LoadProgress } from '../model/hiddenStateModel';

/** What a forward pass runs: the text, the reference tokens a fit is made on, or the held-out ones that check it. */
export type ForwardOf = 'input' | 'reference' | 'reference-check';

export type JobProgress =
  | LoadProgress
  | { stage: 'forward'; of: ForwardOf; window: number; windows: number }
  /** The model writing its own reference text: `done` of `total` samples. */
  | { stage: 'sample'; done: number; total: number }
  /** Block-replacement runs of the model: `done` of `total` (windows x variants). */
  | { stage: 'replace'; done: number; total: number }
  /** The second pass over the layer pairs, once the reference maps are fitted: held-out and per-token values. */
  | { stage: 'reference-score'; done: number; total: number }
  | AnalysisProgress;

/** The phases of an analysis after its model is loaded, in the order they run. */
export type JobPhase =
  | 'forward-input'
  | 'score'
  | 'reference-sample'
  | 'forward-reference'
  | 'fit'
  | 'reference-check'
  | 'reference-score';

const PHASE_ORDER: readonly JobPhase[] = [
  'forward-input',
  'score',
  'reference-sample',
  'forward-reference',
  'fit',
  'reference-check',
  'reference-score',
];

/** The phases that need the reference: what is left once the first view is up. */
export const REFERENCE_PHASES: readonly JobPhase[] = [
  'reference-sample',
  'forward-reference',
  'fit',
  'reference-check',
  'reference-score',
];

/** One phase and its expected cost, in arbitrary units shared by the phases of one plan. */
export interface PhaseCost {
  readonly phase: JobPhase;
  readonly cost: number;
}

/** The phases one analysis will run, in order, with their expected costs. */
export type ProgressPlan = readonly PhaseCost[];

/** What the cost of an analysis depends on. */
export interface AnalysisSize {
  /** Layer pairs L and hidden size d. */
  readonly layers: number;
  readonly hidden: number;
  /** Tokens of the text(s) analysed. */
  readonly inputTokens: number;
  /** Reference tokens to run and fit; 0 without a reference or when its fit is stored already. */
  readonly referenceTokens: number;
  /** Held-out reference tokens run to check the fit (0 likewise). */
  readonly referenceCheckTokens: number;
  /** Tokens the model writes as its own reference text first (0 unless the reference is its own text). */
  readonly referenceSampleTokens?: number;
  /** Whether there is a reference at all (its held-out and per-token pass runs even when the fit is stored). */
  readonly withReference: boolean;
  /** The text is scored on the maps as soon as they exist, before they are checked (a reference view). */
  readonly scoreBeforeCheck?: boolean;
}

/**
 * Relative cost per token and per unit of L x d^2 of each phase, from the benchmarks of
 * docs/performance.md (WASM, GPT-2-small-shaped, first run): the forward pass ~5-8 ms per token,
 * the fit ~0.4 of a forward token, scoring about as much as a forward token where n > d (two Gram
 * products, the solve, the companions) and ~0.3 where it is only the companions and the split, the
 * reference pass ~0.3 (one n x d x d product for held-out scores, one for per-token errors). The
 * estimate of time left corrects what these get wrong: it comes from the rate so far.
 */
export const PHASE_COST_PER_TOKEN = {
  forward: 1,
  fit: 0.4,
  scoreInSample: 1,
  scoreCompanions: 0.3,
  referenceScore: 0.3,
} as const;

/** The phases of an analysis of this size, each with its expected cost (phases that will not run are left out). */
export function planAnalysis(size: AnalysisSize): ProgressPlan {
  const unit = Math.max(1, size.layers) * Math.max(1, size.hidden) ** 2;
  const n = Math.max(1, size.inputTokens);
  const c = PHASE_COST_PER_TOKEN;
  const plan: PhaseCost[] = [
    { phase: 'forward-input', cost: c.forward * n * unit },
    { phase: 'score', cost: (n > size.hidden ? c.scoreInSample : c.scoreCompanions) * n * unit },
  ];
  if ((size.referenceSampleTokens ?? 0) > 0)
    plan.push({ phase: 'reference-sample', cost: c.forward * (size.referenceSampleTokens ?? 0) * unit });
  if (size.referenceTokens > 0) {
    plan.push({ phase: 'forward-reference', cost: c.forward * size.referenceTokens * unit });
    plan.push({ phase: 'fit', cost: c.fit * size.referenceTokens * unit });
  }
  const check: PhaseCost[] =
    size.referenceCheckTokens > 0
      ? [{ phase: 'reference-check', cost: c.forward * size.referenceCheckTokens * unit }]
      : [];
  const score: PhaseCost[] = size.withReference
    ? [{ phase: 'reference-score', cost: c.referenceScore * n * unit }]
    : [];
  plan.push(...(size.scoreBeforeCheck ? [...score, ...check] : [...check, ...score]));
  return plan;
}

const FORWARD_PHASE: Record<ForwardOf, JobPhase> = {
  input: 'forward-input',
  reference: 'forward-reference',
  'reference-check': 'reference-check',
};

/**
 * The phase a progress event belongs to and how far into it the job is (0..1), or null for events
 * outside the plan (loading the model, block replacement). A forward event is sent as its window
 * starts, so window k of n means k - 1 done: one window of one is 0, not 100%.
 */
export function phasePosition(progress: JobProgress): { phase: JobPhase; fraction: number } | null {
  const share = (done: number, total: number) => (total > 0 ? Math.min(1, Math.max(0, done / total)) : 0);
  switch (progress.stage) {
    case 'forward':
      return {
        phase: FORWARD_PHASE[progress.of],
        fraction: share(progress.window - 1, progress.windows),
      };
    case 'score':
      return { phase: 'score', fraction: share(progress.done, progress.total) };
    case 'fit':
      return { phase: 'fit', fraction: share(progress.done, progress.total) };
    case 'sample':
      return { phase: 'reference-sample', fraction: share(progress.done, progress.total) };
    case 'reference-score':
      return { phase: 'reference-score', fraction: share(progress.done, progress.total) };
    default:
      return null;
  }
}

/**
 * 0..1 across every phase of `plan`: the costs of the phases before the event's, plus its share of
 * the event's own phase, over the total. Null when the event is outside the plan. A phase the plan
 * does not list (it was not expected to run) counts from where it would have been.
 */
export function overallFraction(plan: ProgressPlan, progress: JobProgress): number | null {
  const position = phasePosition(progress);
  if (position === null) return null;
  const total = plan.reduce((sum, p) => sum + p.cost, 0);
  if (!(total > 0)) return null;
  const rank = PHASE_ORDER.indexOf(position.phase);
  let before = 0;
  let own = 0;
  for (const p of plan) {
    const r = PHASE_ORDER.indexOf(p.phase);
    if (r < rank) before += p.cost;
    else if (r === rank) own += p.cost;
  }
  return Math.min(1, (before + own * position.fraction) / total);
}

/** Below this much progress or time the rate says too little to estimate from. */
const MIN_FRACTION = 0.02;
const MIN_ELAPSED_MS = 500;

/**
 * Seconds left at the rate so far: `fraction` of the plan done in `elapsedMs` since it started.
 * Null while too little is known (under 2% or half a second) and for impossible inputs.
 */
export function secondsLeft(fraction: number, elapsedMs: number): number | null {
  if (!Number.isFinite(fraction) || !Number.isFinite(elapsedMs)) return null;
  if (fraction < MIN_FRACTION || elapsedMs < MIN_ELAPSED_MS) return null;
  if (fraction >= 1) return 0;
  return ((elapsedMs / fraction) * (1 - fraction)) / 1000;
}
