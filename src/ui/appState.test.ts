import { describe, expect, it } from 'vitest';
import type { LinScopeResult, PartialResult } from '../job/result';
import { appReducer, describeProgress, describeTimeLeft, INITIAL_STATE, progressFraction } from './appState';

const result = { layers: [{}, {}, {}] } as unknown as LinScopeResult;

describe('appReducer()', () => {
  it('walks idle -> loading -> running -> done, keeping the old result marked stale meanwhile', () => {
    let s = appReducer(INITIAL_STATE, { type: 'start' });
    expect(s).toMatchObject({ status: 'loading', stale: false });
    s = appReducer(s, {
      type: 'progress',
      progress: { stage: 'forward', of: 'input', window: 1, windows: 2 },
    });
    expect(s.status).toBe('running');
    s = appReducer(s, { type: 'done', result });
    expect(s).toMatchObject({ status: 'done', result, stale: false });
    s = appReducer(s, { type: 'start' });
    expect(s).toMatchObject({ status: 'loading', result, stale: true });
    s = appReducer(s, { type: 'failed', message: 'boom' });
    expect(s).toMatchObject({ status: 'error', error: 'boom', result });
  });

  it('returns to the last result (or idle) when a run is cancelled', () => {
    expect(appReducer(appReducer(INITIAL_STATE, { type: 'start' }), { type: 'cancelled' }).status).toBe(
      'idle',
    );
    const withResult = appReducer(INITIAL_STATE, { type: 'done', result });
    expect(appReducer(appReducer(withResult, { type: 'start' }), { type: 'cancelled' }).status).toBe('done');
  });

  it('drops a focused layer the new result does not have', () => {
    const focused = { ...INITIAL_STATE, focusLayer: 7 };
    expect(appReducer(focused, { type: 'done', result }).focusLayer).toBeNull();
    expect(appReducer({ ...INITIAL_STATE, focusLayer: 2 }, { type: 'done', result }).focusLayer).toBe(2);
  });
});

describe('appReducer() when the model changes', () => {
  const gpt2 = { id: 'Xenova/gpt2', dtype: 'q8' } as const;
  const tiny = { id: 'linscope/tiny-gpt2', dtype: 'fp32' } as const;
  const failedOn = (state: typeof INITIAL_STATE) =>
    appReducer(appReducer(state, { type: 'start' }), {
      type: 'failed',
      message: 'no such model',
      model: gpt2,
    });

  it('clears the error of a run for another model, back to the result on screen or to idle', () => {
    const withResult = failedOn(appReducer(INITIAL_STATE, { type: 'done', result }));
    expect(withResult).toMatchObject({ status: 'error', error: 'no such model', stale: true });
    expect(appReducer(withResult, { type: 'model', model: tiny })).toMatchObject({
      status: 'done',
      error: null,
      errorModel: null,
      result,
      stale: false,
    });
    expect(appReducer(failedOn(INITIAL_STATE), { type: 'model', model: tiny })).toMatchObject({
      status: 'idle',
      error: null,
      result: null,
    });
  });

  it('clears it when only the weights change', () => {
    const s = appReducer(failedOn(INITIAL_STATE), { type: 'model', model: { ...gpt2, dtype: 'fp32' } });
    expect(s).toMatchObject({ status: 'idle', error: null });
  });

  it('keeps an error that belongs to the model chosen, and one that is about the text', () => {
    const failed = failedOn(INITIAL_STATE);
    expect(appReducer(failed, { type: 'model', model: { ...gpt2 } })).toBe(failed);
    const textError = appReducer(INITIAL_STATE, { type: 'failed', message: 'line 2 is not JSON' });
    expect(appReducer(textError, { type: 'model', model: tiny })).toBe(textError);
  });

  it('changes nothing without an error, and a new run forgets which model failed', () => {
    const done = appReducer(INITIAL_STATE, { type: 'done', result });
    expect(appReducer(done, { type: 'model', model: tiny })).toBe(done);
    const restarted = appReducer(failedOn(INITIAL_STATE), { type: 'start' });
    expect(restarted.errorModel).toBeNull();
    const running = appReducer(restarted, { type: 'model', model: tiny });
    expect(running).toBe(restarted);
  });
});

describe('appReducer() partial results', () => {
  it('shows a run as it fills in, and drops the partial view when the run ends', () => {
    const partial = { layers: [{}] } as unknown as PartialResult;
    let s = appReducer(INITIAL_STATE, { type: 'start' });
    s = appReducer(s, { type: 'partial', partial });
    expect(s.partial).toBe(partial);
    expect(appReducer(s, { type: 'done', result }).partial).toBeNull();
    expect(appReducer(s, { type: 'cancelled' }).partial).toBeNull();
    expect(appReducer(s, { type: 'failed', message: 'x' }).partial).toBeNull();
    // A late partial from a finished run is ignored.
    expect(
      appReducer(appReducer(s, { type: 'done', result }), { type: 'partial', partial }).partial,
    ).toBeNull();
  });
});

describe('describeProgress() and progressFraction()', () => {
  it('say where a run is in words and as a fraction', () => {
    const p = { stage: 'download', file: 'onnx/model.onnx', loaded: 5e6, total: 2e7 } as const;
    expect(describeProgress(p)).toBe('Downloading onnx/model.onnx: 5.0 of 20.0 MB');
    expect(progressFraction(p)).toBe(0.25);
    expect(describeProgress({ stage: 'fit', done: 3, total: 12 })).toBe(
      'Fitting the reference maps: layer 3 of 12',
    );
    expect(progressFraction({ stage: 'augment' })).toBeNull();
  });
});

describe('appReducer() progressive runs', () => {
  const plan = [
    { phase: 'forward-input', cost: 10 },
    { phase: 'score', cost: 10 },
    { phase: 'forward-reference', cost: 60 },
    { phase: 'fit', cost: 20 },
  ] as const;

  it('moves one overall bar across the phases, with the time left at the rate so far', () => {
    let s = appReducer(INITIAL_STATE, { type: 'start' });
    s = appReducer(s, { type: 'plan', plan, at: 1_000 });
    expect(s.overall).toEqual({ fraction: 0, secondsLeft: null });
    s = appReducer(s, {
      type: 'progress',
      progress: { stage: 'forward', of: 'input', window: 1, windows: 1 },
      at: 1_100,
    });
    expect(s.overall?.fraction).toBe(0);
    s = appReducer(s, { type: 'progress', progress: { stage: 'score', done: 10, total: 10 }, at: 3_000 });
    // 20% in 2 s: 8 s left.
    expect(s.overall?.fraction).toBeCloseTo(0.2, 12);
    expect(s.overall?.secondsLeft).toBeCloseTo(8, 12);
    s = appReducer(s, {
      type: 'progress',
      progress: { stage: 'forward', of: 'reference', window: 1, windows: 1 },
      at: 3_500,
    });
    // Window 1 of 1 of the reference: still 20%, not 100% and then back.
    expect(s.overall?.fraction).toBeCloseTo(0.2, 12);
    s = appReducer(s, { type: 'progress', progress: { stage: 'fit', done: 6, total: 12 }, at: 10_000 });
    expect(s.overall?.fraction).toBeCloseTo(0.9, 12);
    expect(s.status).toBe('running');
  });

  it('keeps the first view when a run is cancelled while its reference is fitted', () => {
    const firstView = { layers: [{}], firstView: true } as unknown as PartialResult;
    const before = appReducer(INITIAL_STATE, { type: 'done', result });
    let s = appReducer(before, { type: 'start' });
    s = appReducer(s, { type: 'partial', partial: firstView });
    s = appReducer(s, { type: 'cancelled' });
    expect(s).toMatchObject({ status: 'done', keptFirstView: firstView, partial: null, overall: null });
    // The result of the earlier run is still the one exported, shared and remembered.
    expect(s.result).toBe(result);
    // Cancelled before the first view: nothing kept.
    const early = appReducer(
      appReducer(appReducer(INITIAL_STATE, { type: 'start' }), {
        type: 'partial',
        partial: { layers: [] } as unknown as PartialResult,
      }),
      { type: 'cancelled' },
    );
    expect(early).toMatchObject({ status: 'idle', keptFirstView: null });
    // The next run drops the kept view.
    expect(appReducer(s, { type: 'start' }).keptFirstView).toBeNull();
    // Cancelled while the fit was checked: the first view is kept, without the unchecked per-token values.
    const referenceView = {
      layers: [{}],
      firstView: true,
      checking: true,
      perToken: { nonlinearity: [[1]] },
    } as unknown as PartialResult;
    let c = appReducer(appReducer(before, { type: 'start' }), { type: 'partial', partial: referenceView });
    c = appReducer(c, { type: 'cancelled' });
    expect(c.keptFirstView).toEqual({ layers: [{}], firstView: true });
  });

  it('says the time left in words', () => {
    expect(describeTimeLeft(null)).toBe('');
    expect(describeTimeLeft(0.4)).toBe('less than a second left');
    expect(describeTimeLeft(12.4)).toBe('about 12 s left');
    expect(describeTimeLeft(200)).toBe('about 3 min left');
  });
});
