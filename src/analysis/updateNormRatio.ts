import { assertSameShape, type Matrix } from './matrix';

/**
 * Mean over tokens of ||h_{l+1}[i] - h_l[i]|| / ||h_l[i]||: how large a block's update is next to
 * the residual stream it is added to (the paper's explanation for scores near 1). Raw states; tokens
 * with a zero state are skipped; NaN when none is left.
 */
export function updateNormRatio(x: Matrix, y: Matrix, tokens?: Int32Array): number {
  assertSameShape('updateNormRatio', x, y);
  const d = x.cols;
  const rows = tokens ?? Int32Array.from({ length: x.rows }, (_, i) => i);
  let sum = 0;
  let count = 0;
  for (const r of rows) {
    const o = r * d;
    let uu = 0;
    let xx = 0;
    for (let f = 0; f < d; f++) {
      const a = x.data[o + f];
      const u = y.data[o + f] - a;
      uu += u * u;
      xx += a * a;
    }
    if (xx > 0) {
      sum += Math.sqrt(uu / xx);
      count++;
    }
  }
  return count > 0 ? sum / count : Number.NaN;
}
