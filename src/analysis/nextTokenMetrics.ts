/**
 * What a model's next-token predictions say, from its logits of one window: log-probabilities, the
 * loss on the true next token, the top token, and how far one prediction moved from another
 * (KL divergence). The block-replacement experiment compares a changed model with the original
 * this way (docs/linearize.md). Row t of a [T, V] window predicts token t + 1.
 */

/** Row-wise log-softmax of [T, V] logits, in float64 arithmetic, stored as float32. */
export function logSoftmaxRows(logits: Float32Array, T: number, V: number): Float32Array {
  if (logits.length !== T * V)
    throw new RangeError(`logSoftmaxRows: ${logits.length} logits for ${T} x ${V}`);
  const out = new Float32Array(T * V);
  for (let t = 0; t < T; t++) {
    const row = t * V;
    let max = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < V; v++) if (logits[row + v] > max) max = logits[row + v];
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[row + v] - max);
    const shift = max + Math.log(sum);
    for (let v = 0; v < V; v++) out[row + v] = logits[row + v] - shift;
  }
  return out;
}

/** -log p(ids[t + 1]) at each position t; NaN at the last (nothing to predict in this window). */
export function nextTokenLoss(logprobs: Float32Array, ids: ArrayLike<number>, V: number): Float64Array {
  const T = ids.length;
  const out = new Float64Array(T).fill(Number.NaN);
  for (let t = 0; t + 1 < T; t++) {
    const next = ids[t + 1];
    if (!(next >= 0 && next < V))
      throw new RangeError(`nextTokenLoss: token id ${next} is outside the vocabulary of ${V}`);
    out[t] = -logprobs[t * V + next];
  }
  return out;
}

/** The most likely token at each position (the first one on ties). */
export function topTokens(logprobs: Float32Array, T: number, V: number): Int32Array {
  const out = new Int32Array(T);
  for (let t = 0; t < T; t++) {
    const row = t * V;
    let best = 0;
    for (let v = 1; v < V; v++) if (logprobs[row + v] > logprobs[row + best]) best = v;
    out[t] = best;
  }
  return out;
}

/** KL(p || q) = sum_v p_v (log p_v - log q_v) per position, from log-probabilities, in nats. */
export function klDivergenceRows(p: Float32Array, q: Float32Array, T: number, V: number): Float64Array {
  if (p.length !== T * V || q.length !== T * V)
    throw new RangeError(`klDivergenceRows: ${p.length} and ${q.length} values for ${T} x ${V}`);
  const out = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const row = t * V;
    let kl = 0;
    for (let v = 0; v < V; v++) {
      const lp = p[row + v];
      // exp(-inf) = 0 terms contribute nothing, whatever q says.
      if (lp > Number.NEGATIVE_INFINITY) kl += Math.exp(lp) * (lp - q[row + v]);
    }
    out[t] = kl;
  }
  return out;
}
