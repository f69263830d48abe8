import { describe, expect, it } from 'vitest';
import { readModelConfig } from './config';
import { cacheShape, emptyCacheDims, emptyCacheFeeds } from './windowFeeds';

const record = (type: string, data: BigInt64Array | Float32Array | Uint16Array, dims: number[]) => ({
  type,
  data: Array.from(data, Number),
  dims,
});

describe('emptyCacheFeeds()', () => {
  it('fills ids, mask, positions and an empty cache for each declared input', () => {
    const feeds = emptyCacheFeeds(
      ['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key'],
      [5, 6, 7],
      { kvHeads: 2, headDim: 8 },
      record,
    );
    expect(feeds).toEqual({
      input_ids: { type: 'int64', data: [5, 6, 7], dims: [1, 3] },
      attention_mask: { type: 'int64', data: [1, 1, 1], dims: [1, 3] },
      position_ids: { type: 'int64', data: [0, 1, 2], dims: [1, 3] },
      'past_key_values.0.key': { type: 'float32', data: [], dims: [1, 2, 0, 8] },
    });
  });

  it('makes the empty cache of the type a float16 graph takes', () => {
    const feeds = emptyCacheFeeds(
      ['input_ids', 'past_key_values.0.value'],
      [5],
      { kvHeads: 1, headDim: 4 },
      record,
      'float16',
    );
    expect(feeds?.['past_key_values.0.value']).toEqual({ type: 'float16', data: [], dims: [1, 1, 0, 4] });
    expect(feeds?.input_ids).toEqual({ type: 'int64', data: [5], dims: [1, 1] });
  });

  it('feeds only what the graph declares, and gives up on an input it cannot fill', () => {
    expect(
      Object.keys(emptyCacheFeeds(['input_ids'], [1], { kvHeads: 1, headDim: 1 }, record) ?? {}),
    ).toEqual(['input_ids']);
    expect(
      emptyCacheFeeds(['input_ids', 'use_cache_branch'], [1], { kvHeads: 1, headDim: 1 }, record),
    ).toBeNull();
  });
});

describe('emptyCacheDims(declared, shape)', () => {
  const shape = { kvHeads: 2, headDim: 8 };
  it('takes the usual layout [batch, heads, past, head size] from config.json where the graph names a dimension', () => {
    expect(emptyCacheDims(['batch_size', 2, 'past_sequence_length', 8], shape)).toEqual([1, 2, 0, 8]);
    expect(emptyCacheDims(['batch_size', 'num_heads', 'past_sequence_length', 'head_dim'], shape)).toEqual([
      1, 2, 0, 8,
    ]);
    expect(emptyCacheDims(undefined, shape)).toEqual([1, 2, 0, 8]);
    expect(emptyCacheDims([], shape)).toEqual([1, 2, 0, 8]);
  });

  it('keeps another layout as the graph declares it: a fused multi-query cache [batch, past, 2 x head size]', () => {
    expect(emptyCacheDims(['batch_size', 'past_sequence_length', 16], shape)).toEqual([1, 0, 16]);
    expect(emptyCacheDims(['batch_size x num_heads', 'past_sequence_length', 8], shape)).toEqual([1, 0, 8]);
  });

  it('fills the cache feed in the declared shape', () => {
    const feeds = emptyCacheFeeds(
      ['input_ids', 'past_key_values.0.key_value'],
      [5, 6],
      shape,
      record,
      'float32',
      0,
      new Map([['past_key_values.0.key_value', ['batch_size', 'past_sequence_length', 16]]]),
    );
    expect(feeds?.['past_key_values.0.key_value']).toEqual({ type: 'float32', data: [], dims: [1, 0, 16] });
  });
});

describe('cacheShape()', () => {
  it('reads GPT-2 and Llama-style configs', () => {
    expect(cacheShape(readModelConfig({ n_head: 4, n_embd: 128 }))).toEqual({ kvHeads: 4, headDim: 32 });
    expect(
      cacheShape(readModelConfig({ num_attention_heads: 8, num_key_value_heads: 4, hidden_size: 64 })),
    ).toEqual({
      kvHeads: 4,
      headDim: 8,
    });
    expect(cacheShape(readModelConfig({ num_attention_heads: 4, head_dim: 16, hidden_size: 32 }))).toEqual({
      kvHeads: 4,
      headDim: 16,
    });
  });
});
