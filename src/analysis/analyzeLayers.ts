import { type RunControl, throwIfAborted } from './abort';
import { anisotropyFromGram } from './anisotropy';
import { type Centered, centerColumns } from './center';
import { meanCosineSimilarity } from './cosineSimilarity';
import { distinctRows } from './distinctRows';
import { gram, smallerGram } from './gram';
import { assertFiniteStates, blockCount, type HiddenStates, keptTokens, stateMatrix } from './hiddenStates';
import { fitPair, givePairFit, interpolationGuard, pairLinearity, solutionOf } from './linearity';
import { heldOutFromResiduals, heldOutLinearity, linearMapFromFit, tokenResiduals } from './linearMap';
import { massiveNormTokens } from './massiveNormTokens';
import type { FeatureMajor, Matrix, Matrix64 } from './matrix';
import { type PerTokenNonlinearity, perTokenFromResiduals, type ReferenceFit } from './perTokenNonlinearity';
import { type TwoNNOptions, twoNN } from './twoNN';
import { updateNormRatio } from './updateNormRatio';
import { reusedArrays, type WorkArrays } from './workArrays';

export interface AnalyzeOptions {
  /** Leave token 0 (BOS) out of every fit and statistic (default false, as in the paper). */
  readonly excludeBos?: boolean;
  /**
   * Further tokens to leave out, by row: for a pooled corpus, every document's BOS (the job's
   * `firstPositionRows`), where `excludeBos` alone would leave out only the first document's.
   */
  readonly excludeTokens?: readonly number[];
  /** Leave massive-norm tokens out (see `massiveNormTokens`; default false). */
  readonly excludeMassive?: boolean;
  /** Norm factor over the median that makes a token "massive" (default 10). */
  readonly massiveFactor?: number;
  /**
   * Maps fitted on a reference token set (`fitReferenceMaps`). When given, `heldOut` scores this
   * run's tokens with them and `perToken` is filled.
   */
  readonly reference?: ReferenceFit | null;
  /**
   * Without a reference: share of this run's (kept) tokens held out at the end of the sequence;
   * maps are fitted on the rest and scored on them (default 0.25; 0 turns held-out scores off).
   */
  readonly heldOutFraction?: number;
  /** Anisotropy per state, cosine and update ratio per pair (default true). */
  readonly companions?: boolean;
  /**
   * The in-sample scores (`linearity`, `linearityNoResidual`, `chanceFloor`, `rank`; default true).
   * Off, those are null and only `heldOut` (and `perToken`) are computed: the job's second pass,
   * once the reference maps are fitted, when the first pass already gave the in-sample scores.
   */
  readonly inSample?: boolean;
  /** TwoNN intrinsic dimension per state; O(n^2 d) per state, so off by default. */
  readonly intrinsicDimension?: boolean | TwoNNOptions;
  /**
   * Only these pairs (default all 0..L-1), e.g. to split one run across workers. Each contiguous run
   * of pairs pays for one extra Gram matrix (its first input state); `layers` and `states` then hold
   * only the pairs and states touched, and `perToken` only those pairs (NaN elsewhere).
   */
  readonly pairs?: readonly number[];
}

/** One layer pair (l, l+1), the contract's `layers[]` entry plus extras. */
export interface LayerPairRecord {
  readonly pair: [number, number];
  readonly isFirst: boolean;
  /** The last pair's target is the state after the final norm. */
  readonly isLast: boolean;
  /** In-sample paper score on this run's tokens; null when n <= d (see `reason`). */
  readonly linearity: number | null;
  /** The same with Y = H[l+1] - H[l]. */
  readonly linearityNoResidual: number | null;
  readonly n: number;
  readonly d: number;
  /** rank / (n - 1) (= d / (n - 1) at full rank); null when the score is null. */
  readonly chanceFloor: number | null;
  /** Numerical rank of the centred X (d unless columns were collinear and dropped). */
  readonly rank: number | null;
  readonly reason: string | null;
  readonly heldOut: HeldOutRecord | null;
  readonly cosine: number | null;
  readonly updateRatio: number | null;
}

export interface HeldOutRecord {
  /** `reference`: maps from a reference token set; `split`: fitted on the head of this run, scored on its tail. */
  readonly source: 'reference' | 'split';
  readonly linearity: number | null;
  readonly linearityNoResidual: number | null;
  /** Tokens scored and tokens fitted. */
  readonly n: number;
  readonly nFit: number;
  readonly reason: string | null;
}

/** One state (0..L). */
export interface StateRecord {
  readonly index: number;
  readonly anisotropy: number | null;
  readonly intrinsicDimension: number | null;
}

export interface LayerAnalysis {
  readonly layers: LayerPairRecord[];
  readonly states: StateRecord[];
  /** Tokens left out of fits and statistics, ascending. */
  readonly excludedTokens: number[];
  /** Present when a reference fit was given. */
  readonly perToken: PerTokenNonlinearity | null;
}

/**
 * Every layer-pair metric of one run. Each state is centred and its Gram matrix formed once: state
 * l+1 is the target of pair l and the input of pair l+1. Checks `signal` between pairs and reports
 * each finished pair through `onProgress`.
 */
export function analyzeLayers(
  states: HiddenStates,
  options: AnalyzeOptions = {},
  control: RunControl & {
    /** Called with each pair's record as soon as it is scored (charts can fill in as they arrive). */
    readonly onPair?: (record: LayerPairRecord) => void;
  } = {},
): LayerAnalysis {
  assertFiniteStates(states);
  const L = blockCount(states);
  const d = states.hidden;
  const excluded = new Set<number>();
  if (options.excludeBos && states.tokens > 0) excluded.add(0);
  for (const t of options.excludeTokens ?? []) {
    if (!Number.isInteger(t) || t < 0 || t >= states.tokens)
      throw new RangeError(`analyzeLayers: excludeTokens has ${t}, states have ${states.tokens} tokens`);
    excluded.add(t);
  }
  if (options.excludeMassive)
    for (const t of massiveNormTokens(states, options.massiveFactor ?? 10)) excluded.add(t);
  const excludedTokens = [...excluded].sort((a, b) => a - b);
  const tokens = keptTokens(states.tokens, excludedTokens);
  const n = tokens.length;
  const companions = options.companions ?? true;
  const idOptions: TwoNNOptions | null =
    options.intrinsicDimension === true ? {} : options.intrinsicDimension ? options.intrinsicDimension : null;
  const reference = options.reference ?? null;
  if (reference && (reference.pairs.length !== L || reference.d !== d)) {
    throw new RangeError(
      `analyzeLayers: reference has ${reference.pairs.length} pairs of d = ${reference.d}, states have ${L} of d = ${d}`,
    );
  }
  const fraction = options.heldOutFraction ?? 0.25;
  const split = reference === null && fraction > 0 ? splitTokens(tokens, fraction) : null;

  const wanted = selectPairs(options.pairs, L);
  const stateRecords: StateRecord[] = [];
  const layers: LayerPairRecord[] = [];
  const inSample = options.inSample ?? true;
  const fitsInSample = inSample && n > d;
  // Pair l's residuals on every token under the reference map (null: not computed here).
  const residuals: (Float64Array | null)[] = Array.from({ length: L }, () => null);
  // Each pair's working arrays (centred states, Gram products, factor) are handed back when it is
  // done, for the next pair.
  const arrays = reusedArrays();
  let x: Centered | null = null;
  let gxx: Matrix64 | null = null;
  let previous = -2;
  for (const l of wanted) {
    throwIfAborted(control.signal);
    if (x === null || previous !== l - 1) {
      // Start of a contiguous run of pairs: centre the input state and form its Gram matrix.
      if (x !== null) arrays.give(x.centered.data, gxx?.data ?? null);
      x = centerColumns(stateMatrix(states, l), tokens, arrays);
      gxx = stateGram(x.centered, fitsInSample, companions, arrays);
      stateRecords.push(stateRecord(states, l, tokens, gxx, companions, idOptions, arrays));
    }
    previous = l;
    const xs = stateMatrix(states, l);
    const ys = stateMatrix(states, l + 1);
    const y = centerColumns(ys, tokens, arrays);
    const gyy = stateGram(y.centered, fitsInSample, companions, arrays);
    let linearity = interpolationGuard(n, d, null, () => 0);
    let noResidual = linearity;
    if (linearity === null && gxx !== null && inSample) {
      const fit = fitPair(x, gxx, y, arrays);
      const scores = pairLinearity(solutionOf(fit), gxx, (limit) => distinctRows(xs, tokens, limit));
      givePairFit(fit, arrays);
      linearity = scores.linearity;
      noResidual = scores.linearityNoResidual;
    }
    let heldOut: HeldOutRecord | null = null;
    if (reference) {
      const map = reference.pairs[l];
      if (map) {
        // Every token's residual once: the per-token values read all of them, the held-out score
        // the kept ones.
        const all = tokenResiduals(map.map, xs, ys, undefined, arrays);
        residuals[l] = all;
        const kept = Float64Array.from(tokens, (t) => all[t]);
        heldOut = { source: 'reference', ...heldOutFromResiduals(map.map, kept, x, y) };
      } else {
        heldOut = heldOutNull('reference', n, reference.n, reference.reasons[l] ?? 'no reference map');
      }
    } else if (split) {
      heldOut = splitHeldOut(xs, ys, split.fit, split.evaluate, d);
    }
    layers.push({
      pair: [l, l + 1],
      isFirst: l === 0,
      isLast: l === L - 1,
      linearity: linearity?.score ?? null,
      linearityNoResidual: noResidual?.score ?? null,
      n,
      d,
      chanceFloor: linearity?.chanceFloor ?? null,
      rank: linearity?.rank ?? null,
      reason: linearity?.reason ?? null,
      heldOut,
      cosine: companions ? finiteOrNull(meanCosineSimilarity(xs, ys, tokens)) : null,
      updateRatio: companions ? finiteOrNull(updateNormRatio(xs, ys, tokens)) : null,
    });
    control.onPair?.(layers[layers.length - 1]);
    stateRecords.push(stateRecord(states, l + 1, tokens, gyy, companions, idOptions, arrays));
    // Nothing kept reads X's centred copy or its Gram matrix (the records hold numbers).
    arrays.give(x.centered.data, gxx?.data ?? null);
    x = y;
    gxx = gyy;
    control.onProgress?.({ stage: 'score', done: layers.length, total: wanted.length });
  }
  const perToken = reference ? perTokenFromResiduals(reference, residuals, states.tokens) : null;
  return { layers, states: stateRecords, excludedTokens, perToken };
}

/**
 * A state's Gram matrix where something reads it: the d x d one the in-sample fits need, or, when
 * only the anisotropy does (n <= d: no in-sample fit), the smaller of the two (`smallerGram`).
 */
function stateGram(
  x: FeatureMajor,
  fitsInSample: boolean,
  companions: boolean,
  arrays: WorkArrays,
): Matrix64 | null {
  if (fitsInSample) return gram(x, arrays);
  return companions ? smallerGram(x) : null;
}

function stateRecord(
  states: HiddenStates,
  index: number,
  tokens: Int32Array,
  g: Matrix64 | null,
  companions: boolean,
  idOptions: TwoNNOptions | null,
  arrays: WorkArrays,
): StateRecord {
  return {
    index,
    anisotropy: companions && g !== null && tokens.length >= 2 ? anisotropyFromGram(g, arrays) : null,
    intrinsicDimension: idOptions ? twoNN(stateMatrix(states, index), tokens, idOptions) : null,
  };
}

/** The requested pairs, ascending and unique; throws naming a pair outside 0..L-1. */
function selectPairs(pairs: readonly number[] | undefined, L: number): number[] {
  if (pairs === undefined) return Array.from({ length: L }, (_, l) => l);
  for (const l of pairs) {
    if (!Number.isInteger(l) || l < 0 || l >= L)
      throw new RangeError(`analyzeLayers: pair ${l} outside 0..${L - 1}`);
  }
  return [...new Set(pairs)].sort((a, b) => a - b);
}

/** Head / tail split of the kept tokens: the tail (the last `fraction`, at least 1) is held out. */
export function splitTokens(tokens: Int32Array, fraction: number): { fit: Int32Array; evaluate: Int32Array } {
  if (!(fraction > 0 && fraction < 1))
    throw new RangeError(`splitTokens: fraction ${fraction} outside (0, 1)`);
  const held = Math.max(1, Math.round(tokens.length * fraction));
  const cut = Math.max(0, tokens.length - held);
  return { fit: tokens.subarray(0, cut), evaluate: tokens.subarray(cut) };
}

function splitHeldOut(
  xs: Matrix,
  ys: Matrix,
  fitTokens: Int32Array,
  evalTokens: Int32Array,
  d: number,
): HeldOutRecord {
  const nFit = fitTokens.length;
  const guard = interpolationGuard(nFit, d, null, () => 0);
  if (guard !== null) return heldOutNull('split', evalTokens.length, nFit, `fit part: ${guard.reason}`);
  const cx = centerColumns(xs, fitTokens);
  const map = linearMapFromFit(fitPair(cx, gram(cx.centered), centerColumns(ys, fitTokens)));
  return { source: 'split', ...heldOutLinearity(map, xs, ys, evalTokens) };
}

function heldOutNull(source: 'reference' | 'split', n: number, nFit: number, reason: string): HeldOutRecord {
  return { source, linearity: null, linearityNoResidual: null, n, nFit, reason };
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
