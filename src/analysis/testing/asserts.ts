// Test-only helpers: tolerant comparisons and a seeded random source.
import { expect } from 'vitest';

/** Asserts |actual - expected| <= tol for every element (null / NaN must match null / NaN). */
export function assertClose(
  actual: ArrayLike<number | null> | number | null,
  expected: ArrayLike<number | null> | number | null,
  tol: number,
  label = '',
): void {
  if (typeof actual === 'number' || actual === null || typeof expected === 'number' || expected === null) {
    const a = actual as number | null;
    const e = expected as number | null;
    if (e === null || (typeof e === 'number' && Number.isNaN(e))) {
      expect(a === null || Number.isNaN(a), `${label}: expected null/NaN, got ${a}`).toBe(true);
      return;
    }
    expect(a, `${label}: expected ${e}, got null`).not.toBeNull();
    const diff = Math.abs((a as number) - e);
    expect(diff <= tol, `${label}: ${a} vs ${e} (|diff| ${diff} > ${tol})`).toBe(true);
    return;
  }
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) assertClose(actual[i], expected[i], tol, `${label}[${i}]`);
}

/** Mulberry32: a small seeded uniform generator in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller) from a seeded generator. */
export function gaussian(seed: number, count: number): Float64Array {
  const u = seededRandom(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out[i] = r * Math.cos(th);
    if (i + 1 < count) out[i + 1] = r * Math.sin(th);
  }
  return out;
}
