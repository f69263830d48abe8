import { type HiddenStates, stateMatrix } from './hiddenStates';

/**
 * Tokens whose state norm, at any intermediate state (1..L-1; all states when L = 1), exceeds
 * `factor` times that state's median token norm: BOS / attention-sink tokens and other "massive
 * activations" (method.md, "Massive-norm tokens"). Ascending token indices.
 */
export function massiveNormTokens(states: HiddenStates, factor = 10): number[] {
  const { tokens: T, hidden: d } = states;
  const L = states.states - 1;
  const from = L > 1 ? 1 : 0;
  const to = L > 1 ? L - 1 : L;
  const flagged = new Set<number>();
  const norms = new Float64Array(T);
  for (let s = from; s <= to; s++) {
    const m = stateMatrix(states, s).data;
    for (let t = 0; t < T; t++) {
      let q = 0;
      for (let f = 0; f < d; f++) q += m[t * d + f] * m[t * d + f];
      norms[t] = Math.sqrt(q);
    }
    const median = medianOf(norms);
    for (let t = 0; t < T; t++) if (norms[t] > factor * median) flagged.add(t);
  }
  return [...flagged].sort((a, b) => a - b);
}

function medianOf(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const m = s.length;
  if (m === 0) return Number.NaN;
  return m % 2 === 1 ? s[(m - 1) / 2] : 0.5 * (s[m / 2 - 1] + s[m / 2]);
}
