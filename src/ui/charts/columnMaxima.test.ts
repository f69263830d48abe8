import { describe, expect, it } from 'vitest';
import { columnMaxima, columnTokens, tokenColumn } from './columnMaxima';

/** A seeded generator (mulberry32), so the random texts are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('columnTokens(column, columns, tokens)', () => {
  it('covers every token, in order, when tokens outnumber columns', () => {
    const seen = new Set<number>();
    let previousEnd = 0;
    for (let c = 0; c < 618; c++) {
      const [start, end] = columnTokens(c, 618, 28_697);
      expect(start).toBeLessThanOrEqual(previousEnd);
      expect(end).toBeGreaterThan(start);
      for (let t = start; t < end; t++) seen.add(t);
      previousEnd = end;
    }
    expect(seen.size).toBe(28_697);
    expect(previousEnd).toBe(28_697);
  });

  it('gives each column at least one token when columns outnumber tokens', () => {
    expect(columnTokens(0, 10, 4)).toEqual([0, 1]);
    expect(columnTokens(3, 10, 4)).toEqual([1, 2]);
    expect(columnTokens(9, 10, 4)).toEqual([3, 4]);
  });

  it('tokenColumn finds the column a token starts in', () => {
    expect(tokenColumn(0, 618, 28_697)).toBe(0);
    expect(tokenColumn(28_696, 618, 28_697)).toBe(617);
    const c = tokenColumn(12_345, 618, 28_697);
    const [start, end] = columnTokens(c, 618, 28_697);
    expect(12_345).toBeGreaterThanOrEqual(start);
    expect(12_345).toBeLessThan(end);
  });
});

describe('columnMaxima(perToken, rows, tokens, columns)', () => {
  it('takes the maximum of the covered tokens, not the mean', () => {
    const row = [1, 1, 1, 9, 1, 1, 2, null];
    const maxima = columnMaxima({ nonlinearity: [row], flash: [row.map(() => 0)] }, 1, 8, 2);
    expect([...maxima.values]).toEqual([9, 2]);
    expect([...maxima.flash]).toEqual([0, 0]);
  });

  it('never loses a flash: a single flashing token among 28,697 marks its column', () => {
    const next = random(7);
    const tokens = 28_697;
    const rows = 4;
    const nonlinearity = Array.from({ length: rows }, () => Array.from({ length: tokens }, () => next() * 3));
    const flash = nonlinearity.map((r) => r.map(() => 0));
    const flashes = [
      [0, 0],
      [1, 12_345],
      [2, 28_696],
      [3, 777],
    ];
    for (const [l, t] of flashes) {
      flash[l][t] = 1;
      nonlinearity[l][t] = 40;
    }
    const columns = 618;
    const maxima = columnMaxima({ nonlinearity, flash }, rows, tokens, columns);
    expect(maxima.columns).toBe(columns);
    expect(maxima.tokens).toBe(tokens);
    for (const [l, t] of flashes) {
      const c = tokenColumn(t, columns, tokens);
      expect(maxima.flash[l * columns + c], `flash at ${l},${t}`).toBe(1);
      expect(maxima.values[l * columns + c]).toBe(40);
    }
    expect(maxima.flash.reduce((a, f) => a + f, 0)).toBe(flashes.length);
    // Every column's value is the maximum of its tokens.
    for (let l = 0; l < rows; l++)
      for (let c = 0; c < columns; c += 37) {
        const [start, end] = columnTokens(c, columns, tokens);
        expect(maxima.values[l * columns + c]).toBe(Math.max(...nonlinearity[l].slice(start, end)));
      }
  });

  it('keeps a flash on a token with no value, marks empty columns NaN and pending rows', () => {
    const maxima = columnMaxima({ nonlinearity: [[null, null, 3, 4]], flash: [[1, 0, 0, 0]] }, 2, 4, 2);
    expect(Number.isNaN(maxima.values[0])).toBe(true);
    expect(maxima.flash[0]).toBe(1);
    expect(maxima.values[1]).toBe(4);
    expect(maxima.pendingRows).toEqual([false, true]);
  });
});
