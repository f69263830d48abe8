/**
 * One analysis, host-agnostic: load the model (cached), run the texts window by window, score every
 * layer pair on the text alone, then fit the per-token reference maps (cached) and score the pairs
 * against them. The browser worker and the CLI both call `runAnalyzeJob` with their own runtime,
 * and see the result arrive in steps: its head once the text's forward pass is done (`onStarted`),
 * each pair as it is scored on the text (`onPair`), the first view (`onFirstView`: everything that
 * needs no reference, with split held-out scores), where the job fits the reference itself all but
 * the fit's check as soon as the maps exist (`onReferenceView`), the rest at the end. The result is the same as scoring once with
 * the reference: the in-sample scores and companions do not depend on it, and the held-out scores
 * of the result are the reference's (docs/analysis.md, "Progressive results").
 */
import packageJson from '../../package.json';
import type { AnalyzeOptions, HiddenStates, LayerAnalysis, LayerPairRecord, ReferenceFit } from '../analysis';
import { LinScopeError } from '../errors';
import type { LinScopeRuntime } from '../model/augmentingRuntime';
import type { ModelSpec } from '../model/hiddenStateModel';
import { calibration } from './calibration';
import type { ReferenceFitStore } from './fitStore';
import type { FittedReference } from './fittedReference';
import { beginForeground } from './foreground';
import { runForwardWindows } from './forwardWindows';
import { loadModel } from './modelCache';
import { analyzeLayersInParallel, type PairWorkers } from './parallelPairs';
import { type JobProgress, type ProgressPlan, planAnalysis } from './progress';
import {
  analysisFitInputs,
  type FittedMaps,
  isReferenceFitStored,
  type ReferenceCorpus,
  referenceFit,
  referenceFitTokens,
  referenceHeldOutTokens,
} from './referenceFit';
import {
  finiteOrNull,
  RESULT_SCHEMA,
  type ResultFirstView,
  type ResultHead,
  type ResultRuntime,
  type ResultTail,
} from './result';
import type { AnalysisSettings } from './settings';

export interface AnalyzeJob {
  model: ModelSpec;
  /** One prompt, or the documents of a corpus (states pooled). */
  texts: string[];
  settings: AnalysisSettings;
  /** Texts the per-token maps are fitted on; without it there are no per-token values. */
  reference: ReferenceCorpus | null;
  /** Where the job runs, recorded in the result (the host knows; the job does not). */
  runtime?: ResultRuntime;
  /** Reference tokens per hidden dimension to fit on (default `referenceTokens(d)`; studies and tests change it). */
  referenceTokensPerDim?: number;
}

export interface JobHooks {
  signal?: AbortSignal;
  /** The most bytes one run's pooled states may take (`ForwardControl.maxStateBytes`). */
  maxStateBytes?: number;
  /** Lets the host's event loop run between model runs (a worker reads Cancel then). */
  yieldToEvents?: () => Promise<void>;
  onProgress?: (progress: JobProgress) => void;
  /** Where reference fits are kept between runs (default: memory of this process). */
  fitStore?: ReferenceFitStore;
  /** Once, after the model is loaded: the phases to come and their expected costs (one overall bar). */
  onPlan?: (plan: ProgressPlan) => void;
  /** Once, after the text's forward pass: what is known before the layers are scored. */
  onStarted?: (head: ResultHead) => void;
  /**
   * Each layer pair as soon as it is scored on the text (in any order when pair workers run): the
   * in-sample scores and companions of the result; `heldOut` is the split one (`source: 'split'`).
   */
  onPair?: (record: LayerPairRecord) => void;
  /** Once every pair is scored on the text: all that needs no reference, before the reference is run. */
  onFirstView?: (firstView: ResultFirstView) => void;
  /**
   * Once the reference maps are fitted in this job (not when they were stored): the whole result
   * but the fit's check on held-out reference text (`perToken.calibration`, `reference.heldOut`),
   * which comes with the result.
   */
  onReferenceView?: (tail: ResultTail) => void;
  /** Worker threads to score big runs' layer pairs on (default: this thread). */
  pairWorkers?: PairWorkers;
  /**
   * A stored reference fit was made for other weights than the model's: not used, fitted again
   * (`ReferenceFitControl.onOtherWeights`).
   */
  onOtherWeights?: (stored: FittedReference, weights: string) => void;
}

/** What one job computed: the result in its two parts, and the raw arrays (`--dump-hidden`, benchmarks). */
export interface JobOutput {
  head: ResultHead;
  tail: ResultTail;
  states: HiddenStates;
  lastBlockOutput: Float32Array;
  ids: number[];
}

export async function runAnalyzeJob(
  rt: LinScopeRuntime,
  job: AnalyzeJob,
  hooks: JobHooks = {},
): Promise<JobOutput> {
  const texts = job.texts.filter((t) => t.trim().length > 0);
  if (texts.length === 0)
    throw new LinScopeError('BAD_INPUT', 'The text is empty. Type or upload some text to analyze.');
  // Up to the first view the job is what the user waits for: a reference fit made ahead pauses.
  const endForeground = beginForeground();
  try {
    return await analyzeWithModel(rt, job, texts, hooks, endForeground);
  } finally {
    endForeground();
  }
}

async function analyzeWithModel(
  rt: LinScopeRuntime,
  job: AnalyzeJob,
  texts: string[],
  hooks: JobHooks,
  endForeground: () => void,
): Promise<JobOutput> {
  const model = await loadModel(rt, job.model, hooks.onProgress);
  hooks.signal?.throwIfAborted();
  const { settings } = job;
  const { windowLength, sampling } = analysisFitInputs(model, settings, job.referenceTokensPerDim);
  const d = model.config.hidden ?? 0;
  const fitStored = job.reference
    ? await isReferenceFitStored(model, job.reference, settings, windowLength, hooks.fitStore, sampling)
    : false;
  hooks.onPlan?.(
    planAnalysis({
      layers: model.layers,
      hidden: d,
      inputTokens: texts.reduce((sum, text) => sum + model.encode(text).length, 0),
      // The fit's tokens, then the held-out ones that check it, each run through the model.
      referenceTokens: job.reference && !fitStored ? referenceFitTokens(model, sampling.tokens) : 0,
      referenceCheckTokens: job.reference && !fitStored ? referenceHeldOutTokens(model) : 0,
      // The model's own text is written first, about as many tokens as are run after.
      referenceSampleTokens:
        job.reference?.source === 'model' && !fitStored
          ? referenceFitTokens(model, sampling.tokens) + referenceHeldOutTokens(model)
          : 0,
      withReference: job.reference !== null,
      scoreBeforeCheck: hooks.onReferenceView !== undefined,
    }),
  );
  const run = await runForwardWindows(model, texts, windowLength, 'input', hooks);
  const head: ResultHead = {
    schema: RESULT_SCHEMA,
    generator: { name: 'linscope', version: packageJson.version },
    ...(job.runtime ? { runtime: job.runtime } : {}),
    model: {
      id: job.model.id,
      revision: job.model.revision ?? 'main',
      layers: model.layers,
      hidden: run.states.hidden,
      dtype: job.model.dtype,
      vocab: run.vocab,
      contextLength: model.contextLength,
      graph: model.augmentation.plan.style,
    },
    settings: {
      excludeBos: settings.excludeBos,
      excludeMassive: settings.excludeMassive,
      heldOutFraction: settings.heldOutFraction,
      windowLength,
    },
    tokens: run.tokens,
    windows: run.windows,
    logitLens: run.lens,
  };
  hooks.onStarted?.(head);
  const tokenOptions: AnalyzeOptions = {
    // Every document's BOS, not just token 0 (the first document's): see `firstPositionRows`.
    excludeTokens: settings.excludeBos ? run.firstPositionRows : [],
    excludeMassive: settings.excludeMassive,
  };
  // First pass, on the text alone: in-sample and split held-out scores, companions.
  const firstView = await analyzeLayersInParallel(
    run.states,
    {
      ...tokenOptions,
      reference: null,
      heldOutFraction: settings.heldOutFraction,
      intrinsicDimension: settings.intrinsicDimension,
    },
    { signal: hooks.signal, onProgress: hooks.onProgress, onPair: hooks.onPair },
    hooks.pairWorkers,
  );
  hooks.onFirstView?.({
    excludedTokens: firstView.excludedTokens,
    layers: firstView.layers,
    states: firstView.states,
  });
  endForeground();
  const output = { states: run.states, lastBlockOutput: run.lastBlockOutput, ids: run.ids };
  if (!job.reference) {
    const tail: ResultTail = {
      excludedTokens: firstView.excludedTokens,
      layers: firstView.layers,
      states: firstView.states,
      perToken: null,
    };
    return { head, tail, ...output };
  }
  const reference = job.reference;
  // Against the reference maps: held-out scores and per-token values only.
  const onProgress = hooks.onProgress;
  const scoreOnReference = (fit: ReferenceFit) =>
    analyzeLayersInParallel(
      run.states,
      { ...tokenOptions, reference: fit, inSample: false, companions: false, intrinsicDimension: false },
      {
        signal: hooks.signal,
        onProgress: onProgress
          ? (p) =>
              onProgress(p.stage === 'score' ? { stage: 'reference-score', done: p.done, total: p.total } : p)
          : undefined,
      },
      hooks.pairWorkers,
    );
  const excluded = new Set(firstView.excludedTokens);
  const kept = run.ids.map((_, t) => t).filter((t) => !excluded.has(t));
  const tailOf = (
    pass: LayerAnalysis,
    maps: FittedMaps | FittedReference,
    checked: FittedReference | null,
  ): ResultTail => {
    const perToken = pass.perToken;
    return {
      excludedTokens: firstView.excludedTokens,
      // The first pass's records with the reference's held-out scores, as one pass with the reference gives.
      layers: firstView.layers.map((record, l) => ({ ...record, heldOut: pass.layers[l].heldOut })),
      states: firstView.states,
      perToken: perToken
        ? {
            nonlinearity: perToken.relative,
            flash: perToken.flash,
            flashThreshold: maps.fit.pairs.map((p) => (p ? finiteOrNull(p.relativeThreshold) : null)),
            unit: 'relative-to-reference-mean-error',
            reference: { source: reference.source, name: reference.name, ...maps.composition },
            ...(checked ? { calibration: calibration(checked, perToken.flash, kept, run.ids) } : {}),
          }
        : null,
    };
  };
  // Fitted here (not stored): the text is scored on the maps while they are checked on held-out
  // reference text, and everything but that check's figures is shown (`onReferenceView`).
  const early: { scored: { fit: ReferenceFit; pass: Promise<LayerAnalysis> } | null } = { scored: null };
  const onReferenceView = hooks.onReferenceView;
  const fitted = await referenceFit(model, reference, settings, windowLength, {
    ...hooks,
    ...sampling,
    onMaps: onReferenceView
      ? (maps) => {
          if (early.scored) return;
          // Foreground work: the fit's check waits for it between its model runs (`backgroundTurn`).
          const endScoring = beginForeground();
          const pass = scoreOnReference(maps.fit);
          early.scored = { fit: maps.fit, pass };
          pass.then((done) => {
            endScoring();
            if (!hooks.signal?.aborted) onReferenceView(tailOf(done, maps, null));
          }, endScoring);
        }
      : undefined,
  });
  const scoredEarly = early.scored;
  const referencePass =
    scoredEarly && scoredEarly.fit === fitted.fit
      ? await scoredEarly.pass
      : await scoreOnReference(fitted.fit);
  const tail = tailOf(referencePass, fitted, fitted);
  return { head, tail, ...output };
}
