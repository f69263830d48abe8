/**
 * Statistics that merge: a corpus shard's layer moments (layerMoments.ts) with what identifies the
 * model and the settings they were taken under, and the result JSON that the moments of one or many
 * shards give (`statsResult`: the per-layer scores with n, d, chance floor; nothing per token). The
 * file format is share/statsFile.ts; `linscope stats` and `linscope reduce` drive these; any GPU job
 * can write the same file (tools/stats_recipe.py, docs/scale-out.md).
 */
import packageJson from '../../package.json';
import {
  keptTokens,
  type LayerMoments,
  type LayerPairRecord,
  layerMoments,
  mergeLayerMoments,
  momentScores,
} from '../analysis';
import { LinScopeError } from '../errors';
import type { LinScopeRuntime } from '../model/augmentingRuntime';
import type { ModelSpec } from '../model/hiddenStateModel';
import { analysisWindowLength, runForwardWindows } from './forwardWindows';
import { loadModel } from './modelCache';
import type { JobProgress } from './progress';
import { type LinScopeResult, RESULT_SCHEMA } from './result';

/** What a stats file says about where its moments come from. */
export interface StatsOrigin {
  model: {
    /** As given (a folder name or a Hub id). */
    id: string;
    /** `config.json`'s model_type, or null. */
    type: string | null;
    layers: number;
    hidden: number;
    vocab: number | null;
    /** The weights' variant (`fp32`, `q8` ... for ONNX; `torch-float32`, `torch-bfloat16` ... from the recipe). */
    dtype: string;
    /** How the states were read: from an ONNX graph of either style, or Hugging Face's output_hidden_states (`residual-add`). */
    graph: 'residual-add' | 'fused-skip-norm';
  };
  settings: {
    /** Token 0 of every window left out (BOS). */
    excludeBos: boolean;
    /** Longest window run at once. */
    windowLength: number;
  };
  /** Documents summed. */
  documents: number;
  /** What wrote the file: `linscope 0.1.0`, `linscope-recipe 0.1.0 (transformers 5.18.0)`. */
  generator: string;
}

export interface LayerStats extends StatsOrigin {
  moments: LayerMoments;
}

export interface StatsJob {
  model: ModelSpec;
  texts: string[];
  excludeBos: boolean;
  maxWindow: number;
}

/** The moments of `texts` (one corpus shard) through the model. */
export async function runStatsJob(
  rt: LinScopeRuntime,
  job: StatsJob,
  hooks: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void } = {},
): Promise<LayerStats> {
  const texts = job.texts.filter((t) => t.trim().length > 0);
  if (texts.length === 0) throw new LinScopeError('BAD_INPUT', 'The shard has no text.');
  const model = await loadModel(rt, { ...job.model, logitLens: false }, hooks.onProgress);
  const windowLength = analysisWindowLength(job.maxWindow, model.contextLength);
  const run = await runForwardWindows(model, texts, windowLength, 'input', hooks);
  const starts = job.excludeBos ? run.firstPositionRows : [];
  return {
    model: {
      id: job.model.id,
      type: model.config.modelType,
      layers: model.layers,
      hidden: run.states.hidden,
      vocab: run.vocab,
      dtype: job.model.dtype,
      graph: model.augmentation.plan.style,
    },
    settings: { excludeBos: job.excludeBos, windowLength },
    documents: texts.length,
    generator: `linscope ${packageJson.version}`,
    moments: layerMoments(run.states, keptTokens(run.states.tokens, starts)),
  };
}

/** Why two stats cannot be merged (null when they can): different models, settings or shapes. */
export function statsMismatch(a: StatsOrigin, b: StatsOrigin): string | null {
  const keys = ['id', 'type', 'layers', 'hidden', 'vocab'] as const;
  for (const key of keys)
    if (a.model[key] !== b.model[key])
      return `they are of different models (${key} ${JSON.stringify(a.model[key])} vs ${JSON.stringify(b.model[key])})`;
  if (a.settings.excludeBos !== b.settings.excludeBos)
    return 'one leaves BOS out and the other keeps it (--exclude-bos must be the same for every shard)';
  if (a.settings.windowLength !== b.settings.windowLength)
    return `they ran windows of ${a.settings.windowLength} and ${b.settings.windowLength} tokens`;
  return null;
}

/**
 * The result JSON of merged stats: the contract's per-layer keys (scores, n, d, chance floor, null for
 * n <= d), no tokens and no per-token values (sums do not keep them).
 */
export function statsResult(stats: LayerStats, shards: number): LinScopeResult {
  const { moments, model, settings } = stats;
  const L = moments.cross.length;
  const layers: LayerPairRecord[] = momentScores(moments).map(({ linearity, linearityNoResidual }, l) => ({
    pair: [l, l + 1],
    isFirst: l === 0,
    isLast: l === L - 1,
    linearity: linearity.score,
    linearityNoResidual: linearityNoResidual.score,
    n: moments.n,
    d: moments.d,
    chanceFloor: linearity.chanceFloor,
    rank: linearity.rank,
    reason: linearity.reason,
    heldOut: null,
    cosine: null,
    updateRatio: null,
  }));
  return {
    schema: RESULT_SCHEMA,
    generator: { name: 'linscope', version: packageJson.version },
    model: {
      id: model.id,
      revision: 'main',
      layers: model.layers,
      hidden: model.hidden,
      dtype: model.dtype,
      vocab: model.vocab ?? 0,
      contextLength: null,
      graph: model.graph,
    },
    settings: {
      excludeBos: settings.excludeBos,
      excludeMassive: false,
      heldOutFraction: 0,
      windowLength: settings.windowLength,
    },
    tokens: [],
    windows: [],
    excludedTokens: [],
    layers,
    states: moments.states.map((_, index) => ({ index, anisotropy: null, intrinsicDimension: null })),
    perToken: null,
    statistics: { tokens: moments.n, documents: stats.documents, shards, generator: stats.generator },
  };
}

/**
 * The stats of several shards together. Throws BAD_INPUT naming the file that does not fit the first
 * (another model, other settings); shards from different weight variants of one model merge, and the
 * result says which variants went in.
 */
export function mergeStats(
  parts: readonly { readonly name: string; readonly stats: LayerStats }[],
): LayerStats {
  const [first, ...rest] = parts;
  if (!first) throw new LinScopeError('BAD_INPUT', 'No stats files were given.');
  let merged = first.stats;
  for (const part of rest) {
    const why = statsMismatch(first.stats, part.stats);
    if (why)
      throw new LinScopeError('BAD_INPUT', `${part.name} cannot be merged with ${first.name}: ${why}.`);
    merged = {
      ...merged,
      documents: merged.documents + part.stats.documents,
      moments: mergeLayerMoments(merged.moments, part.stats.moments),
    };
  }
  const unique = (values: readonly string[]) => [...new Set(values)].join(' + ');
  return {
    ...merged,
    model: { ...merged.model, dtype: unique(parts.map((p) => p.stats.model.dtype)) },
    generator: unique(parts.map((p) => p.stats.generator)),
  };
}
