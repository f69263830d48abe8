/**
 * One analysis, host-agnostic: load the model (cached), run the texts window by window, fit the
 * per-token reference maps (cached), score every layer pair. The browser worker and the CLI both
 * call `runAnalyzeJob` with their own runtime, and see the result arrive in three steps: its head
 * once the forward passes are done (`onStarted`), each pair as it is scored (`onPair`), the rest at
 * the end.
 */
import packageJson from '../../package.json';
import type { HiddenStates, LayerPairRecord } from '../analysis';
import { LinScopeError } from '../errors';
import type { LinScopeRuntime } from '../model/augmentingRuntime';
import type { ModelSpec } from '../model/hiddenStateModel';
import type { ReferenceFitStore } from './fitStore';
import { runForwardWindows } from './forwardWindows';
import { loadModel } from './modelCache';
import { analyzeLayersInParallel, type PairWorkers } from './parallelPairs';
import type { JobProgress } from './progress';
import { type ReferenceCorpus, referenceFit } from './referenceFit';
import { finiteOrNull, RESULT_SCHEMA, type ResultHead, type ResultRuntime, type ResultTail } from './result';
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
}

export interface JobHooks {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** Where reference fits are kept between runs (default: memory of this process). */
  fitStore?: ReferenceFitStore;
  /** Once, after the forward passes: what is known before the layers are scored. */
  onStarted?: (head: ResultHead) => void;
  /** Each layer pair as soon as it is scored (in any order when pair workers run). */
  onPair?: (record: LayerPairRecord) => void;
  /** Worker threads to score big runs' layer pairs on (default: this thread). */
  pairWorkers?: PairWorkers;
  /** Lets the host's events (a Cancel) in between model runs (`ForwardControl.yieldToEvents`). */
  yieldToEvents?: () => Promise<void>;
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
  const model = await loadModel(rt, job.model, hooks.onProgress);
  hooks.signal?.throwIfAborted();
  const { settings } = job;
  const windowLength = Math.max(2, Math.min(settings.maxWindow, model.contextLength ?? settings.maxWindow));
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
  const fit = job.reference ? await referenceFit(model, job.reference, settings, windowLength, hooks) : null;
  const analysis = await analyzeLayersInParallel(
    run.states,
    {
      // Every document's BOS, not just token 0 (the first document's): see `firstPositionRows`.
      excludeTokens: settings.excludeBos ? run.firstPositionRows : [],
      excludeMassive: settings.excludeMassive,
      reference: fit,
      heldOutFraction: settings.heldOutFraction,
      intrinsicDimension: settings.intrinsicDimension,
    },
    { signal: hooks.signal, onProgress: hooks.onProgress, onPair: hooks.onPair },
    hooks.pairWorkers,
  );
  const perToken = analysis.perToken;
  const tail: ResultTail = {
    excludedTokens: analysis.excludedTokens,
    layers: analysis.layers,
    states: analysis.states,
    perToken:
      perToken && fit && job.reference
        ? {
            nonlinearity: perToken.relative,
            flash: perToken.flash,
            flashThreshold: fit.pairs.map((p) => (p ? finiteOrNull(p.relativeThreshold) : null)),
            unit: 'relative-to-reference-mean-error',
            reference: {
              source: job.reference.source,
              name: job.reference.name,
              tokens: fit.n,
              quantile: fit.quantile,
            },
          }
        : null,
  };
  return { head, tail, states: run.states, lastBlockOutput: run.lastBlockOutput, ids: run.ids };
}
