import { describe, expect, it } from 'vitest';
import { finiteOrNull, type LinScopeResult, RESULT_SCHEMA } from '../job/result';
import { serializeResult } from './resultJson';

describe('serializeResult()', () => {
  it('keeps number arrays on one line and round-trips through JSON.parse', () => {
    const result = {
      schema: RESULT_SCHEMA,
      tokens: [{ id: 1, text: ' a', doc: 0 }],
      perToken: { nonlinearity: [[0.5, null, 1e-7, -2]] },
    } as unknown as LinScopeResult;
    const text = serializeResult(result);
    expect(text).toContain('[0.5,null,1e-7,-2]');
    expect(JSON.parse(text)).toEqual(result);
  });

  it('turns NaN and infinities into null', () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, 3].map(finiteOrNull)).toEqual([null, null, 3]);
  });
});
