import { describe, expect, it } from 'vitest';
import type { ResultLinearize } from '../job/result';
import { checkLinearize, LinearizeInvalid } from './linearizeCheck';
import { linearizeExample } from './permalink.testing';

const { result } = linearizeExample();
const linearize = result.linearize as ResultLinearize;
const L = result.model.layers;
const T = result.tokens.length;

/** A deep copy with `edit` applied (the fixture stays as recorded). */
function edited(edit: (v: ResultLinearize) => void): ResultLinearize {
  const copy = structuredClone(linearize);
  edit(copy);
  return copy;
}

describe('checkLinearize(value, L, T)', () => {
  it('passes the CLI’s section unchanged (4 blocks, 25 tokens)', () => {
    expect(L).toBe(4);
    expect(T).toBe(25);
    const checked = checkLinearize(structuredClone(linearize), L, T);
    expect(checked).toEqual(linearize);
    expect(checked.runs[0].lossIncrease).toBeCloseTo(0.043258454340199926, 15);
    expect(checked.sweep?.cumulative.order).toEqual([2, 3, 1, 0]);
  });

  it('keeps only the known fields', () => {
    const value = {
      ...structuredClone(linearize),
      extra: '<script>',
      runs: [{ ...linearize.runs[0], x: 1 }],
    };
    const checked = checkLinearize(value, L, T);
    expect('extra' in checked).toBe(false);
    expect('x' in checked.runs[0]).toBe(false);
  });

  it('accepts a sweep whose blocks have no map (maps fitted on a short text)', () => {
    const value = edited((v) => {
      v.sweep!.blocks = v.sweep!.blocks.map((b) => ({ ...b, linearity: null, linear: null }));
      v.sweep!.cumulative = { order: [], steps: [] };
    });
    expect(checkLinearize(value, L, T).sweep?.blocks.every((b) => b.linear === null)).toBe(true);
  });

  const broken: { name: string; edit: (v: ResultLinearize) => void; message: RegExp }[] = [
    { name: 'a block the model lacks', edit: (v) => (v.runs[0].linear = [4]), message: /does not have/ },
    {
      name: 'a block both linearized and skipped',
      edit: (v) => (v.runs[0].skip = [2]),
      message: /both linearizes and skips/,
    },
    { name: 'a run that changes nothing', edit: (v) => (v.runs[0].linear = []), message: /changes no block/ },
    {
      name: 'loss changes of the wrong length',
      edit: (v) => v.runs[0].lossDelta.pop(),
      message: /one value per token/,
    },
    {
      name: 'a share of top-1 changes above 1',
      edit: (v) => (v.runs[0].top1Changed = 1.5),
      message: /top1Changed is not a share/,
    },
    {
      name: 'reference maps flagged in sample',
      edit: (v) => (v.maps.inSample = true),
      message: /in sample wrongly/,
    },
    {
      name: 'a sweep missing a block',
      edit: (v) => v.sweep!.blocks.pop(),
      message: /one entry per block/,
    },
    {
      name: 'a cumulative order naming a block twice',
      edit: (v) => (v.sweep!.cumulative.order = [2, 2, 1, 0]),
      message: /names a block twice/,
    },
    {
      name: 'a loss that is a string',
      edit: (v) => ((v.original as { loss: unknown }).loss = '3.4'),
      message: /original model’s loss|original model's loss/,
    },
  ];
  for (const b of broken) {
    it(`refuses ${b.name}`, () => {
      expect(() => checkLinearize(edited(b.edit), L, T)).toThrow(LinearizeInvalid);
      expect(() => checkLinearize(edited(b.edit), L, T)).toThrow(b.message);
    });
  }

  it('refuses a section for another model or text', () => {
    expect(() => checkLinearize(structuredClone(linearize), 5, T)).toThrow(/one entry per block/);
    expect(() => checkLinearize(structuredClone(linearize), L, 24)).toThrow(/one value per token/);
  });
});
