import { describe, expect, it } from 'vitest';
import { LinScopeError } from '../errors';
import { planForwardFetches } from './forwardFetches';
import { declaredVocab, readForwardOutputs } from './sessionForward';
import type { TensorLike } from './tensorValues';

// A 2-layer GPT-2 export's outputs after augmentation: its own (logits, KV cache), then the states.
const PLAN = {
  layers: 2,
  hiddenStates: [
    '/transformer/wte/Gather_output_0',
    '/transformer/h.0/Add_1_output_0',
    '/transformer/ln_f/Add_1_output_0',
  ],
  lastBlockOutput: '/transformer/h.1/Add_1_output_0',
};
const KV = ['present.0.key', 'present.0.value', 'present.1.key', 'present.1.value'];
const OUTPUTS = [
  'logits',
  ...KV,
  '/transformer/h.0/Add_1_output_0',
  '/transformer/h.1/Add_1_output_0',
  '/transformer/ln_f/Add_1_output_0',
  '/transformer/wte/Gather_output_0',
];

describe('planForwardFetches', () => {
  it('fetches only the hidden states and the pre-norm output when nothing reads the logits (the analysis, the lens)', () => {
    const { fetches, leftBehind } = planForwardFetches(OUTPUTS, PLAN, { logits: false });
    expect(fetches).toEqual([...PLAN.hiddenStates, PLAN.lastBlockOutput]);
    expect(leftBehind).toEqual(['logits', ...KV]);
  });

  it('adds the logits for a loss, and still leaves the KV cache behind', () => {
    const { fetches, leftBehind } = planForwardFetches(OUTPUTS, PLAN, { logits: true });
    expect(fetches).toEqual([...PLAN.hiddenStates, PLAN.lastBlockOutput, 'logits']);
    expect(leftBehind).toEqual(KV);
  });

  it('fetches a state that is also the pre-norm output once', () => {
    const plan = { ...PLAN, lastBlockOutput: PLAN.hiddenStates[1] };
    const { fetches } = planForwardFetches(OUTPUTS, plan, { logits: false });
    expect(fetches).toEqual(PLAN.hiddenStates);
  });

  it('refuses a session that lacks a state or the logits asked for', () => {
    expect(() => planForwardFetches(['logits', ...KV], PLAN, { logits: false })).toThrow(LinScopeError);
    const noLogits = OUTPUTS.filter((n) => n !== 'logits');
    expect(() => planForwardFetches(noLogits, PLAN, { logits: true })).toThrow(/no output logits/);
    expect(planForwardFetches(noLogits, PLAN, { logits: false }).fetches).toHaveLength(4);
  });
});

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
