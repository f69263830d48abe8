import { describe, expect, it } from 'vitest';
import { planAnalysis } from '../job/progress';
import { describeReferenceProgress } from './ReferenceProgress';

const size = { layers: 4, hidden: 128, inputTokens: 256, withReference: true };

describe('describeReferenceProgress()', () => {
  it('says a stored fit is used when the plan runs no reference, and counts windows when it does', () => {
    const stored = planAnalysis({ ...size, referenceTokens: 0, referenceCheckTokens: 0 });
    const fitting = planAnalysis({ ...size, referenceTokens: 4096, referenceCheckTokens: 2048 });
    expect(describeReferenceProgress(null, stored)).toBe('Using the stored reference fit…');
    expect(describeReferenceProgress(null, fitting)).toBe('Fitting the reference…');
    expect(describeReferenceProgress(null, null)).toBe('Fitting the reference…');
    expect(
      describeReferenceProgress({ stage: 'forward', of: 'reference', window: 3, windows: 16 }, fitting),
    ).toBe('Fitting the reference: window 3 of 16');
    expect(describeReferenceProgress({ stage: 'reference-score', done: 1, total: 4 }, stored)).toBe(
      'Scoring every token against the reference: layer pair 1 of 4',
    );
  });
});
