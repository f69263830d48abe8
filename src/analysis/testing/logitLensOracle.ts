/**
 * The logit lens computed from hidden states with typed-array math: the test oracle for the lens
 * LinScope builds inside the model's graph (src/model/logitLensGraph.ts, tests/engine/logitLens.test.ts),
 * itself checked against numpy (logitLensOracle.test.ts). Not used by the app.
 */
import { type RunControl, throwIfAborted } from '../abort';
import { multiplyTransposed } from '../gram';
import type { HiddenStates } from '../hiddenStates';

/** The model's final norm, as typed arrays (no model loading here). */
export type FinalNorm =
  | {
      readonly kind: 'layernorm';
      readonly weight: Float32Array;
      /** null for LayerNorm without bias. */
      readonly bias: Float32Array | null;
      readonly eps: number;
    }
  | {
      readonly kind: 'rmsnorm';
      readonly weight: Float32Array;
      readonly eps: number;
      /** Added to the weight before scaling (1 for Gemma-style (1 + w) norms; default 0). */
      readonly weightOffset?: number;
    };

/** The unembedding: `weight` is vocab x d row-major (Hugging Face `lm_head.weight`), optional bias. */
export interface Unembedding {
  readonly weight: Float32Array;
  readonly vocab: number;
  readonly bias?: Float32Array | null;
}

export interface LogitLensOptions {
  readonly norm: FinalNorm;
  readonly unembedding: Unembedding;
  /** Token ids of the run (length T); when given, the loss of each true next token is reported. */
  readonly inputIds?: ArrayLike<number>;
  /**
   * Apply the final norm to the last state too (default false: in the Hugging Face convention the
   * last hidden state is already after the final norm; pass true when it is the raw block output).
   */
  readonly normalizeLast?: boolean;
}

/**
 * Per state (0..L) and position: the lens's top token, its probability and the next token's loss.
 * Progress (`stage: 'companions'`) counts (state, position) rows.
 */
export interface LogitLens {
  readonly states: number;
  readonly tokens: number;
  /** [states x T] row-major: argmax token id (first one on ties). */
  readonly topId: Int32Array;
  /** [states x T]: softmax probability of `topId`. */
  readonly topProb: Float64Array;
  /** [states x T]: -log p(inputIds[t + 1]) in nats; NaN at the last position or without ids. */
  readonly nextTokenLoss: Float64Array;
}

const VOCAB_BLOCK = 1024;
/** (state, position) rows per pass over the vocabulary. */
const ROW_CHUNK = 512;

/**
 * The logit lens (method.md, "Other per-layer metrics"): every state h_l is put through the final
 * norm (unlike the authors' script, which skips it) and the unembedding, logits = norm(h) W^T + b,
 * and softmaxed. Norm and logits are computed in float64; the vocabulary is streamed in blocks with
 * a running log-sum-exp, so the full [T x vocab] logits never exist at once.
 */
export function logitLens(
  states: HiddenStates,
  options: LogitLensOptions,
  control: RunControl = {},
): LogitLens {
  const { norm, unembedding, inputIds } = options;
  const { tokens: T, hidden: d, states: S } = states;
  const V = unembedding.vocab;
  if (unembedding.weight.length !== V * d) {
    throw new RangeError(
      `logitLens: unembedding has ${unembedding.weight.length} values, expected ${V} x ${d}`,
    );
  }
  if (unembedding.bias && unembedding.bias.length !== V) {
    throw new RangeError(`logitLens: unembedding bias has ${unembedding.bias.length} values, expected ${V}`);
  }
  if (norm.weight.length !== d || (norm.kind === 'layernorm' && norm.bias && norm.bias.length !== d)) {
    throw new RangeError(`logitLens: final norm parameters have ${norm.weight.length} values, expected ${d}`);
  }
  if (inputIds && inputIds.length !== T) {
    throw new RangeError(`logitLens: ${inputIds.length} input ids for ${T} tokens`);
  }
  const topId = new Int32Array(S * T);
  const topProb = new Float64Array(S * T);
  const nextTokenLoss = new Float64Array(S * T).fill(Number.NaN);
  // All (state, position) rows share each converted block of the unembedding: rows are processed
  // in chunks of ROW_CHUNK, and the vocabulary is streamed once per chunk.
  const total = S * T;
  const chunk = Math.min(total, ROW_CHUNK);
  const z = new Float64Array(chunk * d);
  const wBlock = new Float64Array(VOCAB_BLOCK * d);
  const logits = new Float64Array(chunk * VOCAB_BLOCK);
  const best = new Float64Array(chunk);
  const bestId = new Int32Array(chunk);
  const sumExp = new Float64Array(chunk);
  const target = new Float64Array(chunk);
  const want = new Int32Array(chunk);
  for (let k0 = 0; k0 < total; k0 += chunk) {
    throwIfAborted(control.signal);
    const rows = Math.min(chunk, total - k0);
    for (let r = 0; r < rows; r++) {
      const k = k0 + r;
      const s = Math.floor(k / T);
      const t = k - s * T;
      const o = k * d;
      if (s < S - 1 || options.normalizeLast === true) applyNorm(norm, states.data, o, z, r * d, d);
      else for (let f = 0; f < d; f++) z[r * d + f] = states.data[o + f];
      want[r] = inputIds && t + 1 < T ? inputIds[t + 1] : -1;
    }
    best.fill(Number.NEGATIVE_INFINITY);
    bestId.fill(0);
    sumExp.fill(0);
    target.fill(Number.NaN);
    for (let v0 = 0; v0 < V; v0 += VOCAB_BLOCK) {
      throwIfAborted(control.signal);
      const vb = Math.min(VOCAB_BLOCK, V - v0);
      for (let i = 0; i < vb * d; i++) wBlock[i] = unembedding.weight[v0 * d + i];
      logits.fill(0, 0, rows * vb);
      multiplyTransposed(z, wBlock, logits, rows, vb, d, false);
      for (let r = 0; r < rows; r++) {
        const row = r * vb;
        const w = want[r];
        let m = best[r];
        let se = sumExp[r];
        for (let j = 0; j < vb; j++) {
          const v = logits[row + j] + (unembedding.bias ? unembedding.bias[v0 + j] : 0);
          if (v0 + j === w) target[r] = v;
          if (v > m) {
            se = se * Math.exp(m - v) + 1;
            m = v;
            bestId[r] = v0 + j;
          } else {
            se += Math.exp(v - m);
          }
        }
        best[r] = m;
        sumExp[r] = se;
      }
    }
    for (let r = 0; r < rows; r++) {
      const k = k0 + r;
      topId[k] = bestId[r];
      topProb[k] = 1 / sumExp[r];
      if (!Number.isNaN(target[r])) nextTokenLoss[k] = best[r] + Math.log(sumExp[r]) - target[r];
    }
    control.onProgress?.({ stage: 'companions', done: k0 + rows, total });
  }
  return { states: S, tokens: T, topId, topProb, nextTokenLoss };
}

/** LayerNorm (biased variance) or RMSNorm of one d-vector, in float64. */
function applyNorm(
  norm: FinalNorm,
  src: Float32Array,
  so: number,
  dst: Float64Array,
  dO: number,
  d: number,
): void {
  if (norm.kind === 'layernorm') {
    let mean = 0;
    for (let f = 0; f < d; f++) mean += src[so + f];
    mean /= d;
    let variance = 0;
    for (let f = 0; f < d; f++) variance += (src[so + f] - mean) ** 2;
    variance /= d;
    const inv = 1 / Math.sqrt(variance + norm.eps);
    for (let f = 0; f < d; f++) {
      dst[dO + f] = (src[so + f] - mean) * inv * norm.weight[f] + (norm.bias ? norm.bias[f] : 0);
    }
  } else {
    let ms = 0;
    for (let f = 0; f < d; f++) ms += src[so + f] * src[so + f];
    const inv = 1 / Math.sqrt(ms / d + norm.eps);
    const offset = norm.weightOffset ?? 0;
    for (let f = 0; f < d; f++) dst[dO + f] = src[so + f] * inv * (norm.weight[f] + offset);
  }
}
