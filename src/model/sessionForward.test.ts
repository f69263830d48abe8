import { describe, expect, it } from 'vitest';
import { cacheElementType, declaredVocab, readForwardOutputs } from './sessionForward';
import type { TensorLike } from './tensorValues';

const PLAN = {
  layers: 2,
  hiddenStates: [
    '/transformer/wte/Gather_output_0',
    '/transformer/h.0/Add_1_output_0',
    '/transformer/ln_f/Add_1_output_0',
  ],
  lastBlockOutput: '/transformer/h.1/Add_1_output_0',
};

function tensor(dims: number[], fill: (i: number) => number): TensorLike {
  const n = dims.reduce((a, b) => a * b, 1);
  return { type: 'float32', dims, data: Float32Array.from({ length: n }, (_, i) => fill(i)) };
}

describe('readForwardOutputs', () => {
  const T = 3;
  const d = 2;
  const states = Object.fromEntries(
    [...PLAN.hiddenStates, PLAN.lastBlockOutput].map((name, s) => [
      name,
      tensor([1, T, d], (i) => 100 * s + i),
    ]),
  );

  it('stacks the states in plan order into [L+1, T, d] and takes the vocab from the caller without logits', () => {
    const out = readForwardOutputs(states, PLAN, T, 7);
    expect([out.layers, out.hidden, out.tokens, out.vocab, out.logits]).toEqual([2, d, T, 7, null]);
    expect(Array.from(out.hiddenStates.subarray(T * d, 2 * T * d))).toEqual([100, 101, 102, 103, 104, 105]);
    expect(Array.from(out.lastBlockOutput)).toEqual([300, 301, 302, 303, 304, 305]);
  });

  it('copies the logits and their width when they were fetched', () => {
    const out = readForwardOutputs({ ...states, logits: tensor([1, T, 5], (i) => i / 2) }, PLAN, T, 7);
    expect(out.vocab).toBe(5);
    expect(out.logits?.length).toBe(T * 5);
    expect(out.logits?.[3]).toBe(1.5);
  });

  it('refuses a state of the wrong length', () => {
    const bad = { ...states, [PLAN.hiddenStates[2]]: tensor([1, T - 1, d], () => 0) };
    expect(() => readForwardOutputs(bad, PLAN, T, 7)).toThrow(/hidden state 2/);
  });
});

describe('declaredVocab', () => {
  it('reads a static last dimension of the logits, and nothing from a symbolic one', () => {
    const meta = (shape: (number | string)[]) => ({
      outputMetadata: [{ name: 'logits', isTensor: true as const, type: 'float32' as const, shape }],
    });
    expect(declaredVocab(meta(['batch_size', 'sequence_length', 50257]))).toBe(50257);
    expect(declaredVocab(meta(['batch_size', 'sequence_length', 'vocab']))).toBeNull();
  });
});

describe('cacheElementType', () => {
  const input = (name: string, type: 'float32' | 'float16' | 'int64') => ({
    name,
    isTensor: true as const,
    type,
    shape: ['batch_size', 4, 'past_sequence_length', 16],
  });
  const ids = input('input_ids', 'int64');
  it('is the one type of every past_key_values input, float32 or float16', () => {
    const f32 = [ids, input('past_key_values.0.key', 'float32'), input('past_key_values.0.value', 'float32')];
    const f16 = [ids, input('past_key_values.0.key', 'float16'), input('past_key_values.0.value', 'float16')];
    expect(cacheElementType({ inputMetadata: f32 })).toBe('float32');
    expect(cacheElementType({ inputMetadata: f16 })).toBe('float16');
    expect(cacheElementType({ inputMetadata: [ids] })).toBe('float32');
  });
  it('is null for mixed or unknown cache types (transformers.js then runs the window)', () => {
    const mixed = [
      ids,
      input('past_key_values.0.key', 'float32'),
      input('past_key_values.0.value', 'float16'),
    ];
    expect(cacheElementType({ inputMetadata: mixed })).toBeNull();
    expect(cacheElementType({ inputMetadata: [ids, input('past_key_values.0.key', 'int64')] })).toBeNull();
  });
});
