/**
 * The inputs of one forward pass over one window with an empty KV cache, as a Hub-style decoder
 * export takes them (`input_ids`, `attention_mask`, `position_ids`, `past_key_values.*`). What
 * transformers.js feeds the model; LinScope's lens session, tests and benchmarks feed the same.
 */

/** Makes a tensor of the caller's onnxruntime (node or web). */
export type MakeTensor<T> = (
  type: 'int64' | 'float32',
  data: BigInt64Array | Float32Array,
  dims: number[],
) => T;

export interface CacheShape {
  kvHeads: number;
  headDim: number;
}

interface AttentionConfig {
  num_attention_heads?: number;
  n_head?: number;
  num_key_value_heads?: number;
  head_dim?: number;
  hidden_size?: number;
  n_embd?: number;
}

/** Key/value heads and head size of the cache, from config.json (GPT-2 and Llama-style names). */
export function cacheShape(config: AttentionConfig): CacheShape {
  const heads = config.num_attention_heads ?? config.n_head ?? 1;
  return {
    kvHeads: config.num_key_value_heads ?? heads,
    headDim: config.head_dim ?? Math.floor((config.hidden_size ?? config.n_embd ?? 0) / heads),
  };
}

/** Feeds for every input the graph declares, or null when it declares one this cannot fill. */
export function emptyCacheFeeds<T>(
  inputNames: readonly string[],
  ids: ArrayLike<number>,
  shape: CacheShape,
  tensor: MakeTensor<T>,
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
    else if (name.startsWith('past_key_values'))
      feeds[name] = tensor('float32', new Float32Array(0), [1, shape.kvHeads, 0, shape.headDim]);
    else return null;
  }
  return feeds;
}
