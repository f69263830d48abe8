import { assertSameShape, type Matrix } from './matrix';

/**
 * Mean over tokens of the cosine similarity between a token's state before and after a block,
 * cos(h_l[i], h_{l+1}[i]), on raw (uncentred) states. Tokens with a zero state are skipped; NaN
 * when none is left.
 */
export function meanCosineSimilarity(x: Matrix, y: Matrix, tokens?: Int32Array): number {
  assertSameShape('meanCosineSimilarity', x, y);
  const d = x.cols;
  const rows = tokens ?? Int32Array.from({ length: x.rows }, (_, i) => i);
  let sum = 0;
  let count = 0;
  for (const r of rows) {
    const o = r * d;
    let xy = 0;
    let xx = 0;
    let yy = 0;
    for (let f = 0; f < d; f++) {
      const a = x.data[o + f];
      const b = y.data[o + f];
      xy += a * b;
      xx += a * a;
      yy += b * b;
    }
    if (xx > 0 && yy > 0) {
      sum += xy / Math.sqrt(xx * yy);
      count++;
    }
  }
  return count > 0 ? sum / count : Number.NaN;
}
