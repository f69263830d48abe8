/**
 * The `linscope.stats/v1` file (docs/scale-out.md): one corpus shard's layer moments in float64
 * safetensors, with what identifies the model and the settings in the metadata. Written by
 * `linscope stats` and by tools/stats_recipe.py, read by `linscope reduce` and the page.
 *
 *   count        I64 [1]       tokens summed (n)
 *   mean.{s}     F64 [d]       state s's mean, s = 0..L
 *   gram.{s}     F64 [d, d]    sum_t (h_s - mean_s)(h_s - mean_s)^T
 *   cross.{l}    F64 [d, d]    sum_t (h_{l+1} - mean_{l+1})(h_l - mean_l)^T, l = 0..L-1 (row: target feature)
 *   __metadata__ "linscope"    JSON: { schema, model, settings, documents, generator }
 */

import type { LayerMoments } from '../analysis';
import { LinScopeError } from '../errors';
import type { LinScopeResult } from '../job/result';
import { type LayerStats, mergeStats, type StatsOrigin, statsResult } from '../job/stats';
import { isRecord } from './isRecord';
import { getTensor, readSafetensors, type SafeTensor, writeSafetensors } from './safetensors';

export const STATS_SCHEMA = 'linscope.stats/v1';

/** Largest d and L a stats file may claim (a 70B Llama has d = 8192, L = 80). */
const LIMITS = { hidden: 16384, layers: 512 } as const;

export function writeStatsFile(stats: LayerStats): Uint8Array {
  const { moments } = stats;
  const d = moments.d;
  const tensors: Record<string, SafeTensor> = {
    count: { dtype: 'I64', shape: [1], data: BigInt64Array.of(BigInt(moments.n)) },
  };
  moments.states.forEach((s, i) => {
    tensors[`mean.${i}`] = { dtype: 'F64', shape: [d], data: s.mean };
    tensors[`gram.${i}`] = { dtype: 'F64', shape: [d, d], data: s.gram };
  });
  moments.cross.forEach((c, l) => {
    tensors[`cross.${l}`] = { dtype: 'F64', shape: [d, d], data: c };
  });
  const origin: StatsOrigin & { schema: string } = {
    schema: STATS_SCHEMA,
    model: stats.model,
    settings: stats.settings,
    documents: stats.documents,
    generator: stats.generator,
  };
  return writeSafetensors(tensors, { linscope: JSON.stringify(origin) });
}

const bad = (name: string, why: string) =>
  new LinScopeError('BAD_INPUT', `${name} is not a LinScope stats file (${STATS_SCHEMA}): ${why}.`);

const positiveInt = (v: unknown, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= max;

/** What the metadata says, checked field by field. */
function readOrigin(name: string, metadata: Record<string, string>): StatsOrigin {
  const text = metadata.linscope;
  if (text === undefined) throw bad(name, 'its metadata has no "linscope" entry');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad(name, 'its metadata is not JSON');
  }
  if (!isRecord(value)) throw bad(name, 'its metadata is not an object');
  if (value.schema !== STATS_SCHEMA) {
    const schema = String(value.schema);
    throw new LinScopeError(
      'BAD_INPUT',
      /^linscope\.stats\/v\d+$/.test(schema)
        ? `${name} is a ${schema} file; this LinScope reads ${STATS_SCHEMA}. Update LinScope, or make the stats again with this one.`
        : `${name} is not a LinScope stats file: its schema is ${JSON.stringify(value.schema)}.`,
    );
  }
  const { model, settings } = value;
  if (!isRecord(model) || !isRecord(settings)) throw bad(name, 'model or settings are missing');
  if (typeof model.id !== 'string' || typeof model.dtype !== 'string')
    throw bad(name, 'model id or dtype is missing');
  if (!positiveInt(model.layers, LIMITS.layers) || !positiveInt(model.hidden, LIMITS.hidden))
    throw bad(name, `layers ${String(model.layers)} or hidden size ${String(model.hidden)} is out of range`);
  if (model.vocab !== null && !positiveInt(model.vocab, 2 ** 31))
    throw bad(name, 'the vocabulary size is not a count');
  if (model.type !== null && typeof model.type !== 'string')
    throw bad(name, 'the model type is not a string');
  if (model.graph !== 'residual-add' && model.graph !== 'fused-skip-norm')
    throw bad(name, 'the graph style is unknown');
  if (typeof settings.excludeBos !== 'boolean' || !positiveInt(settings.windowLength, 1 << 24))
    throw bad(name, 'its settings are incomplete');
  if (!Number.isInteger(value.documents) || (value.documents as number) < 0)
    throw bad(name, 'the document count is missing');
  return {
    model: {
      id: model.id,
      type: model.type,
      layers: model.layers,
      hidden: model.hidden,
      vocab: model.vocab,
      dtype: model.dtype,
      graph: model.graph,
    },
    settings: { excludeBos: settings.excludeBos, windowLength: settings.windowLength },
    documents: value.documents as number,
    generator: typeof value.generator === 'string' ? value.generator : 'unknown',
  };
}

function float64(name: string, tensor: SafeTensor, shape: readonly number[], key: string): Float64Array {
  if (tensor.dtype !== 'F64' || !(tensor.data instanceof Float64Array))
    throw bad(name, `${key} is ${tensor.dtype}, not F64`);
  if (tensor.shape.length !== shape.length || tensor.shape.some((s, i) => s !== shape[i]))
    throw bad(name, `${key} has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
  for (const v of tensor.data) if (!Number.isFinite(v)) throw bad(name, `${key} holds ${v}`);
  return tensor.data;
}

/** Reads a stats file; `name` is for messages. Throws BAD_INPUT saying what is wrong. */
export function readStatsFile(bytes: Uint8Array, name: string): LayerStats {
  let file: ReturnType<typeof readSafetensors>;
  try {
    file = readSafetensors(bytes);
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^safetensors: /, '') : String(error);
    const cut = /out of range|exceeds file|too short/.test(why);
    throw bad(name, cut ? `${why}; the file is truncated: copy it again, or make it again` : why);
  }
  const origin = readOrigin(name, file.metadata);
  const { layers: L, hidden: d } = origin.model;
  const tensor = (key: string) => {
    try {
      return getTensor(file, key);
    } catch {
      throw bad(name, `it has no ${key} (a ${L}-layer model needs mean/gram.0..${L} and cross.0..${L - 1})`);
    }
  };
  const count = tensor('count');
  if (count.dtype !== 'I64' || count.data.length !== 1) throw bad(name, 'count is not one I64');
  const n = Number((count.data as BigInt64Array)[0]);
  if (!Number.isSafeInteger(n) || n < 0) throw bad(name, `count ${n} is not a token count`);
  const moments: LayerMoments = {
    n,
    d,
    states: Array.from({ length: L + 1 }, (_, s) => ({
      mean: float64(name, tensor(`mean.${s}`), [d], `mean.${s}`),
      gram: float64(name, tensor(`gram.${s}`), [d, d], `gram.${s}`),
    })),
    cross: Array.from({ length: L }, (_, l) => float64(name, tensor(`cross.${l}`), [d, d], `cross.${l}`)),
  };
  // Moments of no tokens are all zero: anything else is a damaged or hand-edited file.
  if (n === 0) {
    const arrays = [...moments.states.flatMap((st) => [st.mean, st.gram]), ...moments.cross];
    if (arrays.some((a) => a.some((v) => v !== 0)))
      throw bad(name, 'it counts 0 tokens but its moments are not zero (damaged or edited)');
  }
  return { ...origin, moments };
}

/** One stats file as read from disk or a file picker: its name (for messages) and its bytes. */
export interface StatsFileBytes {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * What `linscope reduce` does and the page does with stats files it opens: read every file, merge
 * them (refusing files of another model or other settings) and score the merged moments. Throws
 * BAD_INPUT naming the file and what is wrong with it.
 */
export function reduceStatsFiles(files: readonly StatsFileBytes[]): LinScopeResult {
  const parts = files.map((file) => ({ name: file.name, stats: readStatsFile(file.bytes, file.name) }));
  return statsResult(mergeStats(parts), parts.length);
}
