import { describe, expect, it } from 'vitest';
import { LinScopeError } from '../errors';
import { planForwardFetches } from './forwardFetches';

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
