/**
 * The paper's per-layer scores from sums over tokens, so that a corpus too big for one process can be
 * cut into shards, each shard summarised on its own (by LinScope or by the Python recipe on a GPU),
 * and the summaries merged exactly: `mergeLayerMoments(a, b)` is the summary of a and b together.
 *
 * Per state s (0..L): the token count n, the mean m_s and the centred co-moment
 * G_s = sum_t (h_t - m_s)(h_t - m_s)^T; per pair l: C_l = sum_t (h_{l+1,t} - m_{l+1})(h_{l,t} - m_l)^T
 * (row i: target feature i). Those are exactly the centred Gram and cross-Gram the analysis core
 * forms (linearity.ts), so the scores follow with the same Cholesky and solves. Centred co-moments,
 * not raw sums X^T X: merging them (Chan, Golub and LeVeque's pairwise update,
 * G = G_a + G_b + (n_a n_b / n) d d^T with d = m_b - m_a) never subtracts two large numbers, while
 * X^T X - n m m^T loses the digits that massive-norm features leave.
 */
import { centerColumns } from './center';
import { cholesky, solveLowerRows } from './cholesky';
import { crossGram, gram } from './gram';
import { blockCount, type HiddenStates, stateMatrix } from './hiddenStates';
import { type PairLinearity, type PairSolution, pairLinearity } from './linearity';
import { matrix } from './matrix';

export interface LayerMoments {
  /** Tokens summed. */
  readonly n: number;
  /** Hidden size d. */
  readonly d: number;
  /** L+1 entries, one per state: its mean (d) and centred co-moment (d x d, row-major). */
  readonly states: readonly { readonly mean: Float64Array; readonly gram: Float64Array }[];
  /** L entries, one per pair (l, l+1): sum_t yc_t xc_t^T, d x d row-major (row i: target feature i). */
  readonly cross: readonly Float64Array[];
}

/** The moments of `states` over `tokens` (every token when omitted). */
export function layerMoments(states: HiddenStates, tokens?: Int32Array): LayerMoments {
  const L = blockCount(states);
  const d = states.hidden;
  const out: { mean: Float64Array; gram: Float64Array }[] = [];
  const cross: Float64Array[] = [];
  let previous = centerColumns(stateMatrix(states, 0), tokens);
  out.push({ mean: previous.mean, gram: gram(previous.centered).data });
  for (let l = 0; l < L; l++) {
    const next = centerColumns(stateMatrix(states, l + 1), tokens);
    out.push({ mean: next.mean, gram: gram(next.centered).data });
    cross.push(crossGram(next.centered, previous.centered).data);
    previous = next;
  }
  return { n: tokens?.length ?? states.tokens, d, states: out, cross };
}

/** The moments of two token sets together. Throws when their shapes differ. */
export function mergeLayerMoments(a: LayerMoments, b: LayerMoments): LayerMoments {
  if (a.d !== b.d || a.states.length !== b.states.length)
    throw new RangeError(
      `mergeLayerMoments: ${a.states.length - 1} layers of d = ${a.d} and ${b.states.length - 1} layers of d = ${b.d}`,
    );
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  const d = a.d;
  const n = a.n + b.n;
  const w = (a.n * b.n) / n;
  const deltas = a.states.map((s, i) => {
    const delta = new Float64Array(d);
    for (let f = 0; f < d; f++) delta[f] = b.states[i].mean[f] - s.mean[f];
    return delta;
  });
  const states = a.states.map((s, i) => {
    const mean = new Float64Array(d);
    for (let f = 0; f < d; f++) mean[f] = s.mean[f] + (deltas[i][f] * b.n) / n;
    return { mean, gram: addOuter(s.gram, b.states[i].gram, deltas[i], deltas[i], w, d) };
  });
  const cross = a.cross.map((c, l) => addOuter(c, b.cross[l], deltas[l + 1], deltas[l], w, d));
  return { n, d, states, cross };
}

/** a + b + w u v^T (d x d, row-major). */
function addOuter(a: Float64Array, b: Float64Array, u: Float64Array, v: Float64Array, w: number, d: number) {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const wu = w * u[i];
    const row = i * d;
    for (let j = 0; j < d; j++) out[row + j] = a[row + j] + b[row + j] + wu * v[j];
  }
  return out;
}

const trace = (g: Float64Array, d: number): number => {
  let t = 0;
  for (let i = 0; i < d; i++) t += g[i * d + i];
  return t;
};

/**
 * Both scores of every pair, as `analyzeLayers` computes them in sample (method.md, "Linearity
 * score"): the share of Y's centred sum of squares a least-squares map of X explains, with and
 * without the residual stream; null when n <= d. From sums alone the distinct tokens cannot be
 * counted, so the guard against a low-rank fit through few distinct states is not applied (it only
 * matters for collinear states and a handful of tokens, never for a corpus).
 */
export function momentScores(m: LayerMoments): PairLinearity[] {
  const { n, d } = m;
  return m.cross.map((c, l) => {
    const gxx = matrix(m.states[l].gram, d, d);
    const factor = cholesky(gxx);
    const crossT = matrix(c, d, d);
    const fit: PairSolution = {
      n,
      d,
      xSumSquares: trace(m.states[l].gram, d),
      ySumSquares: trace(m.states[l + 1].gram, d),
      factor,
      crossT,
      zT: solveLowerRows(factor, crossT),
    };
    return pairLinearity(fit, gxx, (limit) => limit);
  });
}
