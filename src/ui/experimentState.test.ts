import { describe, expect, it } from 'vitest';
import type { ResultLinearize } from '../job/result';
import { describeProgress } from './appState';
import { experimentReducer, INITIAL_EXPERIMENT } from './experimentState';

describe('experimentReducer()', () => {
  it('walks idle -> loading -> running -> done, progress in the analysis’s words', () => {
    let s = experimentReducer(INITIAL_EXPERIMENT, { type: 'start' });
    expect(s.status).toBe('loading');
    s = experimentReducer(s, { type: 'progress', progress: { stage: 'replace', done: 3, total: 14 } });
    expect(s.status).toBe('running');
    expect(describeProgress(s.progress)).toBe('Running the model with blocks replaced: 3 of 14');
    const partial = { positions: 7 } as unknown as ResultLinearize;
    s = experimentReducer(s, { type: 'partial', partial });
    expect(s.partial).toBe(partial);
    s = experimentReducer(s, { type: 'done' });
    expect(s).toEqual({ status: 'done', progress: null, error: null, partial: null });
  });

  it('keeps the message of a failure until the next start, and ignores late progress', () => {
    let s = experimentReducer(INITIAL_EXPERIMENT, { type: 'start' });
    s = experimentReducer(s, { type: 'failed', message: 'Block 1 has no map' });
    expect(s).toEqual({ status: 'error', progress: null, error: 'Block 1 has no map', partial: null });
    expect(
      experimentReducer(s, { type: 'progress', progress: { stage: 'replace', done: 1, total: 2 } }),
    ).toBe(s);
    expect(experimentReducer(s, { type: 'partial', partial: {} as ResultLinearize })).toBe(s);
    expect(experimentReducer(s, { type: 'start' }).error).toBeNull();
  });

  it('returns to idle when cancelled', () => {
    const s = experimentReducer(experimentReducer(INITIAL_EXPERIMENT, { type: 'start' }), {
      type: 'cancelled',
    });
    expect(s.status).toBe('idle');
  });
});
