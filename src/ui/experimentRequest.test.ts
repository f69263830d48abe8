import { describe, expect, it } from 'vitest';
import type { ResultLinearize } from '../job/result';
import { linearizeExample } from '../share/permalink.testing';
import type { ModelRequest } from '../worker/protocol';
import {
  changedInputs,
  type ExperimentOptions,
  experimentRequest,
  mergeLinearize,
  NO_BLOCKS_MESSAGE,
  NO_RESULT_MESSAGE,
} from './experimentRequest';
import type { ReferenceChoice } from './SettingsPanel';

const { state, result } = linearizeExample();
const linearize = result.linearize as ResultLinearize;
const model: ModelRequest = { spec: { id: 'linscope/tiny-gpt2', dtype: 'fp32' }, allowHub: false };
const options: ExperimentOptions = {
  kind: 'linearize',
  blocks: [3, 1, 1, 9],
  maps: 'reference',
  continuation: 20,
};
const args = {
  shown: { state, result },
  now: state,
  reference: { kind: 'bundled' } as const,
  model,
  options,
};

describe('experimentRequest(args)', () => {
  it('runs on the inputs of the result on screen, the picked blocks sorted, deduplicated and within the model', () => {
    const outcome = experimentRequest(args);
    expect(outcome).toEqual({
      ok: true,
      request: {
        model,
        texts: [state.input.text],
        settings: state.settings,
        reference: 'bundled',
        maps: 'reference',
        runs: [{ linear: [1, 3], skip: [] }],
        sweep: false,
        continuation: 20,
      },
    });
  });

  it('skips the picked blocks, or runs the sweep alone, in sample when asked', () => {
    const skip = experimentRequest({ ...args, options: { ...options, kind: 'skip', maps: 'self' } });
    expect(skip.ok && skip.request.runs).toEqual([{ linear: [], skip: [1, 3] }]);
    expect(skip.ok && skip.request.maps).toBe('self');
    const sweep = experimentRequest({ ...args, options: { ...options, kind: 'sweep', blocks: [] } });
    expect(sweep.ok && [sweep.request.runs, sweep.request.sweep]).toEqual([[], true]);
  });

  it('clamps the continuation to 0..64 tokens', () => {
    const long = experimentRequest({ ...args, options: { ...options, continuation: 500 } });
    expect(long.ok && long.request.continuation).toBe(64);
    const none = experimentRequest({ ...args, options: { ...options, continuation: Number.NaN } });
    expect(none.ok && none.request.continuation).toBe(0);
  });

  it('fits out-of-sample maps on LinScope’s corpus when the result had no reference', () => {
    const outcome = experimentRequest({
      ...args,
      shown: { state: { ...state, reference: { kind: 'none' } }, result },
      now: { ...state, reference: { kind: 'none' } },
      reference: { kind: 'none' },
    });
    expect(outcome.ok && outcome.request.reference).toBe('bundled');
  });

  it('sends a user reference corpus with its texts', () => {
    const user: ReferenceChoice = { kind: 'user', name: 'mine.txt', texts: ['a b c'] };
    const shared = { ...state, reference: { kind: 'user', name: 'mine.txt' } as const };
    const outcome = experimentRequest({
      ...args,
      shown: { state: shared, result },
      now: shared,
      reference: user,
    });
    expect(outcome.ok && outcome.request.reference).toEqual({
      source: 'user',
      name: 'mine.txt',
      texts: ['a b c'],
    });
  });

  it('refuses without a result, without blocks, and when the inputs changed since the result', () => {
    expect(experimentRequest({ ...args, shown: null })).toEqual({ ok: false, message: NO_RESULT_MESSAGE });
    expect(experimentRequest({ ...args, options: { ...options, blocks: [7] } })).toEqual({
      ok: false,
      message: NO_BLOCKS_MESSAGE,
    });
    const edited = experimentRequest({
      ...args,
      now: { ...state, input: { text: 'Other text', corpus: false } },
    });
    expect(edited.ok).toBe(false);
    expect(!edited.ok && edited.message).toMatch(/^The text changed since the result on screen was computed/);
  });
});

describe('changedInputs(shown, now)', () => {
  it('names what changed, ignoring the focused pair and the settings’ key order', () => {
    expect(changedInputs(state, { ...state, focusLayer: 3 })).toEqual([]);
    const reordered = Object.fromEntries(Object.entries(state.settings).reverse()) as typeof state.settings;
    expect(changedInputs(state, { ...state, settings: reordered })).toEqual([]);
    expect(
      changedInputs(state, {
        ...state,
        model: { ...state.model, dtype: 'q8' },
        settings: { ...state.settings, excludeBos: !state.settings.excludeBos },
        reference: { kind: 'none' },
      }),
    ).toEqual(['model', 'settings', 'reference corpus']);
  });
});

describe('mergeLinearize(previous, next)', () => {
  const skipRun = { ...linearize.runs[0], linear: [], skip: [1], lossIncrease: 0.2 };

  it('adds the runs of an experiment with the same maps, replacing a run of the same blocks', () => {
    const next = { ...linearize, runs: [skipRun], sweep: null };
    const merged = mergeLinearize(linearize, next);
    expect(merged.runs.map((r) => [r.linear, r.skip])).toEqual([
      [[2], []],
      [[], [1]],
    ]);
    expect(merged.sweep).toBe(linearize.sweep);
    const again = mergeLinearize(merged, {
      ...linearize,
      runs: [{ ...skipRun, lossIncrease: 0.3 }],
      sweep: null,
    });
    expect(again.runs.map((r) => r.lossIncrease)).toEqual([0.043258454340199926, 0.3]);
  });

  it('keeps the original continuation when the new experiment made none', () => {
    const next = { ...linearize, original: { ...linearize.original, continuation: null }, runs: [] };
    expect(mergeLinearize(linearize, next).original.continuation).toBe(' And the LORD said unto');
  });

  it('replaces the experiment when the maps differ (in sample vs out of sample)', () => {
    const self = {
      ...linearize,
      maps: {
        ...linearize.maps,
        source: 'self' as const,
        name: 'the text itself',
        inSample: true,
        tokens: 25,
      },
      runs: [skipRun],
      sweep: null,
    };
    expect(mergeLinearize(linearize, self)).toBe(self);
    expect(mergeLinearize(undefined, self)).toBe(self);
  });
});
