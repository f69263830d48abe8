import { describe, expect, it } from 'vitest';
import type { ChartResult } from './chartResult';
import { loadExampleResult } from './exampleResult.testing';
import { figureCaption, sweepCaption } from './figureCaption';

const result = loadExampleResult();

describe('figureCaption(result)', () => {
  it('names the model, dtype, n, d and the reference of the per-token maps', () => {
    expect(figureCaption(result)).toBe(
      `model ${result.model.id} · dtype ${result.model.dtype} · n = 148 tokens · d = 64 · reference “${result.perToken?.reference.name}” (512 tokens) · LinScope`,
    );
  });

  it('says when there is no reference, and leaves out what a partial result lacks', () => {
    const bare: ChartResult = {
      model: { id: 'm', layers: 2, hidden: 8 },
      tokens: [],
      layers: [],
      perToken: null,
    };
    expect(figureCaption(bare)).toBe('model m · d = 8 · no reference · LinScope');
  });
});

describe('sweepCaption(result, linearize)', () => {
  it('names the predictions scored and the maps the blocks were replaced by', () => {
    const caption = sweepCaption(result, {
      positions: 147,
      maps: { source: 'self', name: 'this text', tokens: 148, inSample: true, missing: [] },
    });
    expect(caption).toContain('n = 147 next-token predictions');
    expect(caption).toContain('maps fitted on “this text” (148 tokens, in sample)');
    expect(caption).toContain(`dtype ${result.model.dtype}`);
  });
});
