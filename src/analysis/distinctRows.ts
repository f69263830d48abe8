import type { Matrix } from './matrix';

/**
 * Number of distinct rows among `tokens` (all rows when omitted), compared bit for bit. Repeated
 * tokens are ordinary (a BOS state is identical in every chunk of a corpus); what matters for a
 * least-squares fit is how many distinct points it has to pass through.
 */
export function distinctRows(x: Matrix, tokens?: Int32Array): number {
  const d = x.cols;
  const rows = tokens ?? Int32Array.from({ length: x.rows }, (_, i) => i);
  const buckets = new Map<number, number[]>();
  let count = 0;
  for (const r of rows) {
    const h = hashRow(x.data, r * d, d);
    const bucket = buckets.get(h);
    if (bucket === undefined) {
      buckets.set(h, [r]);
      count++;
    } else if (!bucket.some((other) => rowsEqual(x.data, other * d, r * d, d))) {
      bucket.push(r);
      count++;
    }
  }
  return count;
}

function hashRow(data: Float32Array | Float64Array, offset: number, d: number): number {
  // FNV-1a over the values' float64 images; -0 and 0 hash alike on purpose.
  let h = 0x811c9dc5;
  for (let f = 0; f < d; f++) {
    const v = data[offset + f];
    const bits = v === 0 ? 0 : Math.fround(v) * 16777216;
    h = Math.imul(h ^ (bits | 0), 0x01000193);
    h = Math.imul(h ^ ((bits / 4294967296) | 0), 0x01000193);
  }
  return h >>> 0;
}

function rowsEqual(data: Float32Array | Float64Array, a: number, b: number, d: number): boolean {
  for (let f = 0; f < d; f++) if (data[a + f] !== data[b + f]) return false;
  return true;
}
