import { describe, expect, it } from 'vitest';
import { pageOfToken, textPage } from './tokenTextPage';

describe('textPage(index, total, size) and pageOfToken(token, size)', () => {
  it('splits a long text into pages of 2,000 tokens, the last one shorter', () => {
    expect(textPage(0, 20_345)).toEqual({ index: 0, start: 0, end: 2000, count: 11 });
    expect(textPage(10, 20_345)).toEqual({ index: 10, start: 20_000, end: 20_345, count: 11 });
    expect(textPage(99, 20_345).index).toBe(10);
    expect(textPage(-1, 20_345).index).toBe(0);
  });

  it('has one page for a short or empty text', () => {
    expect(textPage(0, 50)).toEqual({ index: 0, start: 0, end: 50, count: 1 });
    expect(textPage(3, 0)).toEqual({ index: 0, start: 0, end: 0, count: 1 });
  });

  it('finds the page of a token', () => {
    expect(pageOfToken(0)).toBe(0);
    expect(pageOfToken(1999)).toBe(0);
    expect(pageOfToken(2000)).toBe(1);
    expect(pageOfToken(12_345, 1000)).toBe(12);
  });
});
