import { describe, expect, it } from 'vitest';
import { LinScopeError } from '../errors';
import { isModelDtype, readModelConfig } from './config';

describe('readModelConfig()', () => {
  it('reads GPT-2 names', () => {
    const c = readModelConfig({
      model_type: 'gpt2',
      n_layer: 12,
      n_embd: 768,
      n_head: 12,
      n_positions: 1024,
      vocab_size: 50257,
      bos_token_id: 50256,
    });
    expect(c).toEqual({
      modelType: 'gpt2',
      layers: 12,
      hidden: 768,
      vocab: 50257,
      contextLength: 1024,
      bosTokenId: 50256,
      heads: 12,
      kvHeads: 12,
      headDim: 64,
    });
  });

  it('reads Llama names with grouped-query attention and an explicit head size', () => {
    const c = readModelConfig({
      model_type: 'llama',
      num_hidden_layers: 5,
      hidden_size: 64,
      num_attention_heads: 8,
      num_key_value_heads: 4,
      head_dim: 16,
      max_position_embeddings: 512,
      vocab_size: 512,
      bos_token_id: 1,
    });
    expect([c.layers, c.hidden, c.heads, c.kvHeads, c.headDim, c.contextLength]).toEqual([
      5, 64, 8, 4, 16, 512,
    ]);
  });

  it('reads GPT-NeoX num_layers, and says null for what a config leaves out', () => {
    const c = readModelConfig({ num_layers: 6, bos_token_id: null });
    expect(c.layers).toBe(6);
    expect([c.hidden, c.vocab, c.contextLength, c.bosTokenId, c.heads, c.kvHeads, c.headDim]).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('reads GPT-Neo num_heads and MPT n_layers, d_model, n_heads, max_seq_len', () => {
    const neo = readModelConfig({ num_layers: 2, num_heads: 4, hidden_size: 64 });
    expect([neo.layers, neo.heads, neo.kvHeads, neo.headDim]).toEqual([2, 4, 4, 16]);
    const mpt = readModelConfig({ n_layers: 3, n_heads: 8, d_model: 128, max_seq_len: 2048 });
    expect([mpt.layers, mpt.hidden, mpt.heads, mpt.kvHeads, mpt.headDim, mpt.contextLength]).toEqual([
      3, 128, 8, 8, 16, 2048,
    ]);
  });

  it('caches one key/value head under multi-query attention, unless Falcon repeats them (new decoder)', () => {
    // GPT-BigCode as configs before transformers 5 wrote it, and Falcon-7B.
    expect(readModelConfig({ n_head: 4, n_embd: 64, multi_query: true }).kvHeads).toBe(1);
    expect(
      readModelConfig({ num_attention_heads: 4, hidden_size: 64, multi_query: true, num_kv_heads: 4 })
        .kvHeads,
    ).toBe(1);
    // Falcon-40B style: the cache holds every query head's keys (not num_kv_heads).
    expect(
      readModelConfig({
        num_attention_heads: 4,
        hidden_size: 64,
        multi_query: true,
        new_decoder_architecture: true,
        num_kv_heads: 2,
      }).kvHeads,
    ).toBe(4);
    // An explicit num_key_value_heads wins (GPT-BigCode as transformers 5 writes it).
    expect(readModelConfig({ n_head: 4, multi_query: true, num_key_value_heads: 1 }).kvHeads).toBe(1);
    expect(readModelConfig({ n_head: 4, multi_query: false }).kvHeads).toBe(4);
  });

  it('refuses a present value that is not a positive integer, naming the field', () => {
    for (const bad of [{ n_layer: 'twelve' }, { hidden_size: 0 }, { vocab_size: 3.5 }, { n_ctx: -1 }]) {
      const error = (() => {
        try {
          readModelConfig(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(LinScopeError);
      expect((error as LinScopeError).code).toBe('BAD_INPUT');
      expect((error as LinScopeError).message).toContain(Object.keys(bad)[0]);
    }
    expect(() => readModelConfig([1, 2])).toThrow(/not a JSON object/);
  });

  it('treats a BOS id that is not one integer as none', () => {
    expect(readModelConfig({ bos_token_id: [1, 2] }).bosTokenId).toBeNull();
    expect(readModelConfig({ bos_token_id: 0 }).bosTokenId).toBe(0);
  });
});

describe('isModelDtype()', () => {
  it('knows the export variants and nothing else', () => {
    expect(['fp32', 'fp16', 'q8', 'q4', 'q4f16'].every(isModelDtype)).toBe(true);
    expect(isModelDtype('int8')).toBe(false);
    expect(isModelDtype(undefined)).toBe(false);
  });
});
