/**
 * Rotary position embeddings: llama2.c (like Meta's reference code) rotates interleaved pairs
 * (x[2i], x[2i+1]) of each head; Hugging Face Llama rotates the halves (x[i], x[i + d/2]).
 * Permuting the rows of wq and wk so that pair i lands at (i, i + d/2) makes the two agree
 * exactly: the rotation is the same per pair, and q.k is unchanged when q and k are permuted
 * alike. This is the permutation of Hugging Face's `convert_llama_weights_to_hf.py`.
 */

/**
 * Rows of a `[nHeads * headDim, inDim]` projection reordered from the interleaved layout to
 * the rotate-half layout: within each head, new row `p * headDim/2 + i` is old row `2i + p`.
 */
export function interleavedToRotateHalfRows(
  weight: Float32Array,
  nHeads: number,
  headDim: number,
  inDim: number,
): Float32Array {
  if (weight.length !== nHeads * headDim * inDim) {
    throw new RangeError(`weight has ${weight.length} values, expected ${nHeads}*${headDim}*${inDim}`);
  }
  const half = headDim / 2;
  const out = new Float32Array(weight.length);
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < half; i++) {
      for (let p = 0; p < 2; p++) {
        const from = (h * headDim + 2 * i + p) * inDim;
        const to = (h * headDim + p * half + i) * inDim;
        out.set(weight.subarray(from, from + inDim), to);
      }
    }
  }
  return out;
}

export interface RotaryTables {
  /** [maxPositions, headDim], the rotate-half layout: cos(p * f_i) at columns i and i + d/2. */
  cos: Float32Array;
  sin: Float32Array;
}

/**
 * cos/sin tables for positions 0..maxPositions-1, rounded at each step to float32 as Hugging
 * Face's LlamaRotaryEmbedding computes them in float32 (inv_freq = 1 / theta^(2i/d), then the
 * product with the position, then cos/sin), so the tables match its reference closely.
 */
export function rotaryTables(maxPositions: number, headDim: number, theta: number): RotaryTables {
  const f32 = Math.fround;
  const half = headDim / 2;
  const invFreq = Array.from({ length: half }, (_, i) => f32(1 / f32(theta ** f32((2 * i) / headDim))));
  const cos = new Float32Array(maxPositions * headDim);
  const sin = new Float32Array(maxPositions * headDim);
  for (let pos = 0; pos < maxPositions; pos++) {
    for (let i = 0; i < half; i++) {
      const angle = f32(pos * invFreq[i]);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[pos * headDim + i] = c;
      cos[pos * headDim + half + i] = c;
      sin[pos * headDim + i] = s;
      sin[pos * headDim + half + i] = s;
    }
  }
  return { cos, sin };
}
