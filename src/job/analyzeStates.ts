/**
 * The analysis of hidden states that came without a model (a file made elsewhere): the same layer
 * scores as a run (with and without the residual, n, d, chance floor, null where n <= d, split
 * held-out scores, companions), and per-token values from maps fitted on the states' own tokens
 * when there are more of them than dimensions. Those maps are in sample: there is no reference
 * corpus for a model LinScope never ran (docs/analysis.md, "Hidden states from elsewhere").
 */
import packageJson from '../../package.json';
import { type HiddenStates, keptTokens, perTokenNonlinearity } from '../analysis';
import type { JobHooks } from './analyze';
import { analyzeLayersInParallel, fitReferenceMapsInParallel } from './parallelPairs';
import {
  finiteOrNull,
  type PerTokenValues,
  RESULT_SCHEMA,
  type ResultHead,
  type ResultTail,
  type ResultToken,
} from './result';
import type { AnalysisSettings } from './settings';

export interface StatesAnalysisJob {
  readonly states: HiddenStates;
  /** T entries, aligned with the states' tokens. */
  readonly tokens: ResultToken[];
  readonly model: { readonly id: string; readonly dtype: string };
  readonly settings: AnalysisSettings;
  /** What the states are called (the file's name), for what the per-token maps were fitted on. */
  readonly source: string;
}

export interface StatesAnalysis {
  readonly head: ResultHead;
  readonly tail: ResultTail;
  /** Why there are no per-token values (n <= d), or null. */
  readonly perTokenAbsent: string | null;
}

/** The name the per-token maps carry: fitted on the analysed tokens themselves. */
export function inSampleMapsName(source: string): string {
  return `${source} itself (in sample)`;
}

export async function runStatesAnalysis(
  job: StatesAnalysisJob,
  hooks: Pick<JobHooks, 'signal' | 'onProgress' | 'onStarted' | 'onPair' | 'pairWorkers'> = {},
): Promise<StatesAnalysis> {
  const { states, settings } = job;
  const L = states.states - 1;
  const T = states.tokens;
  const head: ResultHead = {
    schema: RESULT_SCHEMA,
    generator: { name: 'linscope', version: packageJson.version },
    model: {
      id: job.model.id,
      revision: 'main',
      layers: L,
      hidden: states.hidden,
      dtype: job.model.dtype,
      vocab: 0,
      contextLength: null,
      graph: 'residual-add',
    },
    settings: {
      excludeBos: settings.excludeBos,
      excludeMassive: settings.excludeMassive,
      heldOutFraction: settings.heldOutFraction,
      windowLength: T,
    },
    tokens: job.tokens,
    windows: [{ doc: 0, start: 0, end: T }],
    logitLens: null,
  };
  hooks.onStarted?.(head);
  const control = { signal: hooks.signal, onProgress: hooks.onProgress };
  const analysis = await analyzeLayersInParallel(
    states,
    {
      excludeBos: settings.excludeBos,
      excludeMassive: settings.excludeMassive,
      reference: null,
      heldOutFraction: settings.heldOutFraction,
      intrinsicDimension: settings.intrinsicDimension,
    },
    { ...control, onPair: hooks.onPair },
    hooks.pairWorkers,
  );
  const tokens = keptTokens(T, analysis.excludedTokens);
  let perToken: PerTokenValues | null = null;
  let perTokenAbsent: string | null = null;
  if (tokens.length > states.hidden) {
    const fit = await fitReferenceMapsInParallel(
      states,
      { tokens, quantile: settings.flashQuantile },
      control,
      hooks.pairWorkers,
    );
    const values = perTokenNonlinearity(fit, states, control);
    perToken = {
      nonlinearity: values.relative,
      flash: values.flash,
      flashThreshold: fit.pairs.map((p) => (p ? finiteOrNull(p.relativeThreshold) : null)),
      unit: 'relative-to-reference-mean-error',
      reference: {
        source: 'user',
        name: inSampleMapsName(job.source),
        tokens: fit.n,
        quantile: fit.quantile,
      },
    };
  } else {
    perTokenAbsent =
      `No per-token values: a token's error needs a map fitted on more tokens than dimensions, and these states ` +
      `have n = ${tokens.length} tokens for d = ${states.hidden} (and no reference text: the model is not LinScope's to run).`;
  }
  return {
    head,
    tail: {
      excludedTokens: analysis.excludedTokens,
      layers: analysis.layers,
      states: analysis.states,
      perToken,
    },
    perTokenAbsent,
  };
}
