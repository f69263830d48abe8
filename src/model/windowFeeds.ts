/**
 * The inputs of one forward pass over one window with an empty KV cache, as a Hub-style decoder
 * export takes them (`input_ids`, `attention_mask`, `position_ids`, `past_key_values.*`). What
 * transformers.js feeds the model; LinScope's lens session, tests and benchmarks feed the same.
 */
import type { ModelConfig } from './config';

/** Element type of the KV cache a graph takes: float32, or float16 in float16 graphs. */
export type CacheElementType = 'float32' | 'float16';

/** Makes a tensor of the caller's onnxruntime (node or web); float16 data are the raw bits. */
export type MakeTensor<T> = (
  type: 'int64' | CacheElementType,
  data: BigInt64Array | Float32Array | Uint16Array,
  dims: number[],
) => T;

export interface CacheShape {
  kvHeads: number;
  headDim: number;
}

/** Key/value heads and head size of the cache, from the model's config. */
export function cacheShape(config: Pick<ModelConfig, 'heads' | 'kvHeads' | 'headDim'>): CacheShape {
  return { kvHeads: config.kvHeads ?? config.heads ?? 1, headDim: config.headDim ?? 0 };
}

/**
 * Where the graph's declared cache inputs (`past_key_values.N.key` / `.value`, [batch, heads, past,
 * head size]) fix heads or head size to other numbers than `shape` (read from config.json): how
 * they differ, in words; null where they agree or the graph leaves them open.
 */
export function cacheShapeMismatch(
  inputShapes: ReadonlyMap<string, DeclaredDims | undefined>,
  shape: CacheShape,
): string | null {
  for (const [name, dims] of inputShapes) {
    if (!/^past_key_values\.\d+\.(key|value)$/.test(name) || dims?.length !== 4) continue;
    const [, heads, , headDim] = dims;
    const wrongHeads = typeof heads === 'number' && heads !== shape.kvHeads;
    const wrongSize = typeof headDim === 'number' && headDim !== shape.headDim;
    if (wrongHeads || wrongSize)
      return `its graph's cache (${name}) takes ${heads} key/value heads of size ${headDim}, and config.json gives ${shape.kvHeads} of size ${shape.headDim}`;
  }
  return null;
}

/** Dimensions as a graph declares them: a size, or a name where it varies. */
export type DeclaredDims = readonly (number | string)[];

/**
 * The dimensions of an empty cache input (`past_key_values.*`, past length 0). What the graph fixes
 * is taken as it is. In the usual layout, [batch, key/value heads, past length, head size], a named
 * dimension is filled from config.json (`shape`); in any other (a multi-query export's fused
 * `past_key_values.N.key_value`, [batch, past length, 2 x head size]) a named first dimension is the
 * batch (1) and any other named one the past length (0). Undeclared: the usual layout.
 */
export function emptyCacheDims(declared: DeclaredDims | undefined, shape: CacheShape): number[] {
  const usual = [1, shape.kvHeads, 0, shape.headDim];
  if (!declared || declared.length === 0) return usual;
  if (declared.length === 4) return declared.map((d, k) => (typeof d === 'number' ? d : usual[k]));
  return declared.map((d, k) => (typeof d === 'number' ? d : k === 0 ? 1 : 0));
}

/**
 * Feeds for every input the graph declares, or null when it declares one this cannot fill. The empty
 * cache tensors are of `cacheType` (they hold no values: only the type must match the graph's), in
 * the shape the graph declares for them (`declared`, by input name; `emptyCacheDims`).
 * `num_logits_to_keep` (exports that have it, and LinScope's analysis graph: logitsToKeep.ts) gets
 * `logitsToKeep`: the trailing tokens whose logits are computed, 0 for all (the default).
 */
export function emptyCacheFeeds<T>(
  inputNames: readonly string[],
  ids: ArrayLike<number>,
  shape: CacheShape,
  tensor: MakeTensor<T>,
  cacheType: CacheElementType = 'float32',
  logitsToKeep = 0,
  declared: ReadonlyMap<string, DeclaredDims> = new Map(),
): Record<string, T> | null {
  const T = ids.length;
  const feeds: Record<string, T> = {};
  for (const name of inputNames) {
    if (name === 'input_ids') feeds[name] = tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]);
    else if (name === 'attention_mask') feeds[name] = tensor('int64', new BigInt64Array(T).fill(1n), [1, T]);
    else if (name === 'position_ids')
      feeds[name] = tensor(
        'int64',
        BigInt64Array.from({ length: T }, (_, i) => BigInt(i)),
        [1, T],
      );
    else if (name === 'num_logits_to_keep')
      feeds[name] = tensor('int64', BigInt64Array.from([BigInt(logitsToKeep)]), []);
    else if (name.startsWith('past_key_values'))
      feeds[name] = tensor(
        cacheType,
        cacheType === 'float16' ? new Uint16Array(0) : new Float32Array(0),
        emptyCacheDims(declared.get(name), shape),
      );
    else return null;
  }
  return feeds;
}
