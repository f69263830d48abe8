import { describe, expect, it } from 'vitest';
import type { LinScopeResult, PartialResult } from '../job/result';
import { appReducer, describeProgress, INITIAL_STATE, progressFraction } from './appState';

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
