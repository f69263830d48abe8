import { describe, expect, it } from 'vitest';
import { loadExampleResult } from './exampleResult.testing';
import { linearityLayout } from './linearityLayout';
import { describePair, linearityTooltipPosition, pairRole } from './linearityTooltip';

const result = loadExampleResult();

describe('pairRole(col)', () => {
  it('names the ends of the model and nothing between them', () => {
    expect(pairRole({ isFirst: true, isLast: false })).toBe('first: from the embedding output');
    expect(pairRole({ isFirst: false, isLast: true })).toBe('last: into the state after the final norm');
    expect(pairRole({ isFirst: true, isLast: true })).toBe('embedding → final norm');
    expect(pairRole({ isFirst: false, isLast: false })).toBe('');
  });
});

describe('describePair(col)', () => {
  it('reads the four scores to four decimals', () => {
    const { pairs } = linearityLayout(result, { width: 640 });
    expect(describePair(pairs[2])).toBe(
      'Pair 2→3, with residual 0.9017, without residual 0.6389, held-out 0.6758, chance floor 0.4354',
    );
  });

  it('says pending before the pair is scored, and a dash for a missing score', () => {
    expect(describePair({ label: '3→4', record: null })).toBe('Pair 3→4: pending');
    const record = { ...result.layers[0], linearity: null, heldOut: null };
    expect(describePair({ label: '0→1', record })).toBe(
      'Pair 0→1, with residual —, without residual 0.7723, held-out —, chance floor 0.4354',
    );
  });
});

describe('linearityTooltipPosition(layout, col)', () => {
  const layout = { width: 600, yTop: 12 };

  it('opens right of a column in the left half of the chart', () => {
    expect(linearityTooltipPosition(layout, { x: 150, left: 120, width: 60 })).toEqual({
      top: 12,
      left: 180,
    });
    expect(linearityTooltipPosition(layout, { x: 300, left: 270, width: 60 })).toEqual({
      top: 12,
      left: 330,
    });
  });

  it('opens left of a column in the right half, measured from the right edge', () => {
    expect(linearityTooltipPosition(layout, { x: 450, left: 420, width: 60 })).toEqual({
      top: 12,
      right: 180,
    });
  });
});
