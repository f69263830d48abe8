import { type Matrix, matrix } from './matrix';

/**
 * All hidden states of one run, Hugging Face `output_hidden_states` convention (method.md, "Hidden
 * states: which ones"): `data` is float32 [L+1, T, d]; index 0 is the embedding output, index l the
 * residual stream after block l, index L the last block's output after the final norm.
 */
export interface HiddenStates {
  readonly data: Float32Array;
  /** Number of states per token, L + 1 (L = number of blocks). */
  readonly states: number;
  /** Number of tokens T. */
  readonly tokens: number;
  /** Hidden size d. */
  readonly hidden: number;
}

/** Wraps a float32 [states, tokens, hidden] array; throws when the sizes disagree. */
export function hiddenStates(
  data: Float32Array,
  states: number,
  tokens: number,
  hidden: number,
): HiddenStates {
  if (states < 2) throw new RangeError(`hiddenStates: need at least 2 states (L >= 1), got ${states}`);
  if (data.length !== states * tokens * hidden) {
    throw new RangeError(
      `hiddenStates: ${data.length} values do not fill [${states}, ${tokens}, ${hidden}] (= ${states * tokens * hidden})`,
    );
  }
  return { data, states, tokens, hidden };
}

/** Number of blocks L (= layer pairs). */
export function blockCount(h: HiddenStates): number {
  return h.states - 1;
}

/** State `index` as a T x d float32 view (no copy). */
export function stateMatrix(h: HiddenStates, index: number): Matrix {
  if (!Number.isInteger(index) || index < 0 || index >= h.states) {
    throw new RangeError(`stateMatrix: index ${index} outside 0..${h.states - 1}`);
  }
  const size = h.tokens * h.hidden;
  return matrix(h.data.subarray(index * size, (index + 1) * size), h.tokens, h.hidden);
}

/** Token indices 0..T-1 minus `excluded`, ascending. */
export function keptTokens(tokens: number, excluded: readonly number[]): Int32Array {
  const drop = new Set(excluded);
  const out: number[] = [];
  for (let t = 0; t < tokens; t++) if (!drop.has(t)) out.push(t);
  return Int32Array.from(out);
}

/** Where the first non-finite value of the states is (state, token, feature, and the value); null where none is. */
export function firstNonFinite(
  h: HiddenStates,
): { state: number; token: number; feature: number; value: number } | null {
  const { data, tokens: T, hidden: d } = h;
  // Fast path: a float64 sum of float32 values cannot overflow (|x| < 3.5e38, far fewer than 1e200
  // values), so it is finite exactly when every value is; NaN and infinities propagate into it.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < data.length; k += 4) {
    s0 += data[k];
    s1 += data[k + 1];
    s2 += data[k + 2];
    s3 += data[k + 3];
  }
  for (; k < data.length; k++) s0 += data[k];
  if (Number.isFinite(s0 + s1 + s2 + s3)) return null;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]))
      return {
        state: Math.floor(i / (T * d)),
        token: Math.floor((i % (T * d)) / d),
        feature: i % d,
        value: data[i],
      };
  }
  return null;
}

/**
 * Throws a RangeError naming the first non-finite value (state, token, feature). NaN or infinity in
 * a hidden state (an fp16 overflow, say) would silently turn every score into NaN.
 */
export function assertFiniteStates(h: HiddenStates): void {
  const bad = firstNonFinite(h);
  if (bad)
    throw new RangeError(
      `hidden state ${bad.state} has a non-finite value (${bad.value}) at token ${bad.token}, feature ${bad.feature}`,
    );
}
