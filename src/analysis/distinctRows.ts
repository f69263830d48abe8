import type { Matrix } from './matrix';

/**
 * Number of distinct rows among `tokens` (all rows when omitted), compared bit for bit. Repeated
 * tokens are ordinary (a BOS state is identical in every chunk of a corpus); what matters for a
 * least-squares fit is how many distinct points it has to pass through. With `limit`, counting stops
 * there: the result is min(distinct rows, limit), and a question like "more than d + 1?" reads about
 * d + 2 rows instead of all of them.
 */
export function distinctRows(x: Matrix, tokens?: Int32Array, limit = Number.POSITIVE_INFINITY): number {
  const d = x.cols;
  const rows = tokens ?? Int32Array.from({ length: x.rows }, (_, i) => i);
  // The values' bit patterns as 32-bit words (one per float32, two per float64).
  const words = new Uint32Array(
    x.data.buffer,
    x.data.byteOffset,
    x.data.length * (x.data.BYTES_PER_ELEMENT / 4),
  );
  const perRow = d * (x.data.BYTES_PER_ELEMENT / 4);
  const buckets = new Map<number, number[]>();
  let count = 0;
  for (const r of rows) {
    if (count >= limit) break;
    const h = hashWords(words, r * perRow, perRow);
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

/**
 * FNV-1a over a row's bit patterns, a word at a time. -0 and 0 hash alike on purpose (they compare
 * equal): a word that is only the sign bit counts as 0, which is exact for float32; for float64 it
 * only merges the hashes of -0 and 0, and `rowsEqual` decides.
 */
function hashWords(words: Uint32Array, offset: number, count: number): number {
  let h = 0x811c9dc5;
  for (let i = offset; i < offset + count; i++) {
    const w = words[i];
    h = Math.imul(h ^ (w === 0x80000000 ? 0 : w), 0x01000193);
  }
  return h >>> 0;
}

function rowsEqual(data: Float32Array | Float64Array, a: number, b: number, d: number): boolean {
  for (let f = 0; f < d; f++) if (data[a + f] !== data[b + f]) return false;
  return true;
}
