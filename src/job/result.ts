/**
 * The result of one analysis (`linscope.result/v1`, docs/result-json.md): what the job builds, the
 * charts draw, and `share/resultJson.ts` writes out as the CLI's `--out` and the page's `export-json`.
 */
import type { LayerPairRecord, StateRecord } from '../analysis';
import type { ReferenceSamplingRule } from './referenceSample';

export const RESULT_SCHEMA = 'linscope.result/v1';

export interface ResultToken {
  id: number;
  text: string;
  /** Which input text (0 for a single prompt; the document index in a corpus). */
  doc: number;
}

export interface ResultPerToken {
  /**
   * [L][T]: each token's squared error under the pair's reference map, divided by the reference
   * tokens' mean (leave-one-out) error for that pair: 1 = typical, 10 = ten times typical.
   * `null` where a pair had no map.
   */
  nonlinearity: (number | null)[][];
  /** [L][T]: 1 where the token's error is above the pair's flash threshold. */
  flash: number[][];
  /** [L]: the flash threshold in the same unit (the reference's `quantile` of errors). */
  flashThreshold: (number | null)[];
  unit: 'relative-to-reference-mean-error';
  reference: ResultReference;
  /**
   * The fit's own check and this run's distance from it (docs/analysis.md, "Calibration"). Absent in
   * results from before it existed.
   */
  calibration?: ResultCalibration;
}

/** What the per-token maps were fitted on (docs/result-json.md). */
export interface ResultReference {
  /** What the maps were fitted on: LinScope's corpus, the user's, or the model's own seeded samples. */
  source: 'bundled' | 'user' | 'model';
  name: string;
  /** Reference tokens the maps were fitted on. */
  tokens: number;
  quantile: number;
  /** Documents those tokens come from (absent in results from before it was recorded). */
  documents?: number;
  /** Documents in the reference corpus. */
  corpusDocuments?: number;
  /**
   * How the tokens were chosen: `seeded-windows` (whole context windows of `chunkTokens` tokens
   * drawn at random with `seed`, one per document before a second from any), `seeded-chunks`
   * (chunks of `chunkTokens` tokens, with their document's context, drawn at random over the whole
   * corpus with `seed`; fits made before seeded-windows) or `prefix` (the corpus's first tokens).
   */
  sampling?: { rule: ReferenceSamplingRule; seed: number; chunkTokens: number };
  /** Reference tokens not fitted on, scored to check the fit: how many, from how many documents. */
  heldOut?: { tokens: number; documents: number };
}

/** The nominal and the measured flash rates, and whether this run's text is unlike the reference. */
export interface ResultCalibration {
  /** 1 - quantile: the share of reference-like tokens expected to flash in each pair. */
  nominalFlashRate: number;
  /** [L]: the share of the held-out reference tokens that flash; null where a pair has no map or nothing was held out. */
  heldOutFlashRate: (number | null)[];
  /** [L]: the share of this run's tokens (the kept ones) that flash; null where a pair has no map. */
  flashRate: (number | null)[];
  /** Share of this run's distinct token ids (kept tokens) that never occur in the fitted reference tokens. */
  unseenTokenShare: number;
  /** True when the rule of docs/analysis.md, "Calibration", holds: flash rates far above the reference's on text unlike it. */
  offReference: boolean;
}

/**
 * The logit lens: the model's final norm and unembedding applied to every state, [L+1][T] (state
 * 0 = embeddings, state L = the model's own output). Present for models small enough that one extra
 * unembedding per layer is cheap (docs/result-json.md).
 */
export interface ResultLogitLens {
  /** The most likely next token read from each state. */
  topId: number[][];
  /** Its probability. */
  topProb: number[][];
  /** -log p(the true next token), in nats; null where the next token is not in the same window. */
  nextLoss: (number | null)[][];
  /** The text of every id in `topId`. */
  tokenText: Record<string, string>;
}

/** Where a result's numbers were computed: onnxruntime's backend and, on WebGPU, the adapter. */
export interface ResultRuntime {
  /** `cpu`: onnxruntime-node (the CLI); `wasm` and `webgpu`: onnxruntime-web in a page. */
  backend: 'webgpu' | 'wasm' | 'cpu';
  /** The WebGPU adapter as it describes itself; null on other backends. */
  adapter: string | null;
  /** onnxruntime's version. */
  onnxruntime: string;
}

export interface LinScopeResult {
  schema: typeof RESULT_SCHEMA;
  generator: { name: 'linscope'; version: string };
  /** Absent in results from before it was recorded, and in results reduced from stats files. */
  runtime?: ResultRuntime;
  model: {
    id: string;
    revision: string;
    layers: number;
    hidden: number;
    dtype: string;
    vocab: number;
    contextLength: number | null;
    graph: 'residual-add' | 'fused-skip-norm';
  };
  settings: {
    excludeBos: boolean;
    excludeMassive: boolean;
    heldOutFraction: number;
    windowLength: number;
  };
  /** The input texts' tokens, in order, every token once (see docs/result-json.md on windows). */
  tokens: ResultToken[];
  windows: { doc: number; start: number; end: number }[];
  /** Indices into `tokens` left out of fits and statistics (BOS, massive-norm tokens) as the settings say. */
  excludedTokens: number[];
  /** L entries, pair (l, l+1). The contract's keys plus the extras of `LayerPairRecord`. */
  layers: LayerPairRecord[];
  /** L+1 entries: anisotropy and intrinsic dimension per state. */
  states: StateRecord[];
  perToken: ResultPerToken | null;
  /** Absent in results from before the lens existed; null where the model has none. */
  logitLens?: ResultLogitLens | null;
  /** The block-replacement experiment, when one was run on this text (docs/linearize.md). */
  linearize?: ResultLinearize;
  /**
   * Present when the result was reduced from stats files (`linscope reduce`, docs/scale-out.md):
   * then `tokens` is empty and the scores rest on `statistics.tokens` tokens.
   */
  statistics?: { tokens: number; documents: number; shards: number; generator: string };
}

/** How far a changed model's next-token predictions are from the original's, over the scored positions. */
export interface ReplacementMetrics {
  /** Mean -log p(next token), nats. */
  loss: number;
  perplexity: number;
  /** `loss` minus the original model's. */
  lossIncrease: number;
  /** Share of positions whose most likely next token differs from the original's. */
  top1Changed: number;
  /** Mean KL(original || changed), nats. */
  kl: number;
}

/** Blocks changed together: each linearized (its map) or skipped (its output := its input). */
export interface ReplacementSpec {
  linear: number[];
  skip: number[];
}

export interface ResultLinearize {
  /** The maps that replace blocks: fitted on the reference corpus (out of sample) or on this text (in sample). */
  maps: {
    source: 'reference' | 'self';
    name: string;
    /** Tokens the maps were fitted on. */
    tokens: number;
    inSample: boolean;
    /** Per block: why it has no map (then it cannot be linearized), or null. */
    missing: (string | null)[];
  };
  /** Next-token predictions scored: every token whose next token is in the same window. */
  positions: number;
  original: { loss: number; perplexity: number; continuation: string | null };
  runs: (ReplacementSpec &
    ReplacementMetrics & {
      /** [T], aligned with `tokens`: the change of -log p(next token) at each token; null where none. */
      lossDelta: (number | null)[];
      continuation: string | null;
    })[];
  /** The paper's figure: every block alone, linearized and skipped; then blocks linearized cumulatively. */
  sweep: {
    blocks: {
      block: number;
      /** Leave-one-out linearity of the block's map on its fit tokens (1 - n x mean LOO error); null without a map. */
      linearity: number | null;
      linear: ReplacementMetrics | null;
      skip: ReplacementMetrics;
    }[];
    /** Blocks linearized one after another, most linear first; step k has the first k + 1 of `order`. */
    cumulative: { order: number[]; steps: ReplacementMetrics[] };
  } | null;
}

/** NaN and infinities are not JSON: they become null. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** What is known once the forward passes are done, before any pair is scored. */
export type ResultHead = Omit<LinScopeResult, 'excludedTokens' | 'layers' | 'states' | 'perToken'>;

/**
 * Per-token values as the analysis computes them, [L] rows of T: typed arrays (NaN where a pair had
 * no map), so they cross from a worker without a copy. `assembleResult` makes them JSON arrays.
 */
export interface PerTokenValues extends Omit<ResultPerToken, 'nonlinearity' | 'flash'> {
  readonly nonlinearity: readonly Float64Array[];
  readonly flash: readonly Uint8Array[];
}

/** What a finished analysis adds to its head. */
export interface ResultTail {
  readonly excludedTokens: number[];
  readonly layers: LayerPairRecord[];
  readonly states: StateRecord[];
  readonly perToken: PerTokenValues | null;
}

/**
 * What needs no reference, known before the reference is run: every pair scored on the text alone
 * (in-sample scores, companions, and split held-out scores: `heldOut.source` is `split`), and the
 * states' companions. The final result has the same records with the reference's held-out scores.
 */
export type ResultFirstView = Omit<ResultTail, 'perToken'>;

/**
 * A result still arriving: `layers` holds the pairs scored so far; per-token values come last.
 * `firstView`: every pair and state is in, without the reference (held-out scores are the split
 * ones), while the reference is run and fitted. `checking`: the reference's parts are in too, but
 * for the fit's check on held-out reference text (`perToken.calibration`, `reference.heldOut`),
 * which is still running.
 */
export type PartialResult = Omit<LinScopeResult, 'perToken'> &
  (
    | { perToken?: undefined; firstView?: true; checking?: undefined }
    | { perToken: ResultPerToken | null; firstView: true; checking: true }
  );

/** Whether `result` is finished (not a partial one: its per-token values, if any, are all in). */
export function isCompleteResult(result: LinScopeResult | PartialResult): result is LinScopeResult {
  return result.perToken !== undefined && !('checking' in result && result.checking);
}

/** A partial result reduced to its first view (what needs no reference). */
export function firstViewOnly(partial: PartialResult): PartialResult {
  const { perToken: _, checking: __, ...rest } = partial;
  return { ...rest, firstView: true };
}

/** The result so far: the head and the pairs scored, in pair order. */
export function partialResult(head: ResultHead, layers: readonly LayerPairRecord[]): PartialResult {
  return {
    ...head,
    excludedTokens: [],
    layers: [...layers].sort((a, b) => a.pair[0] - b.pair[0]),
    states: [],
  };
}

/** The first view as a result still arriving: everything but the reference's parts. */
export function firstViewResult(head: ResultHead, firstView: ResultFirstView): PartialResult {
  return {
    ...head,
    excludedTokens: firstView.excludedTokens,
    layers: firstView.layers,
    states: firstView.states,
    firstView: true,
  };
}

/** The result but the reference fit's check, which is still running (`reference-view`). */
export function referenceViewResult(head: ResultHead, tail: ResultTail): PartialResult {
  return { ...assembleResult(head, tail), firstView: true, checking: true };
}

/** The whole result, per-token values as JSON arrays (null for NaN and infinities). */
export function assembleResult(head: ResultHead, tail: ResultTail): LinScopeResult {
  const p = tail.perToken;
  return {
    ...head,
    excludedTokens: tail.excludedTokens,
    layers: tail.layers,
    states: tail.states,
    perToken: p && {
      nonlinearity: p.nonlinearity.map((row) => Array.from(row, finiteOrNull)),
      flash: p.flash.map((row) => Array.from(row)),
      flashThreshold: p.flashThreshold,
      unit: p.unit,
      reference: p.reference,
      ...(p.calibration ? { calibration: p.calibration } : {}),
    },
  };
}

/**
 * A whole result split back into the head and tail a worker sends (a result made in one piece, as
 * stats files give, travels like an analysis). Per-token arrays become typed arrays (null -> NaN).
 */
export function resultParts(result: LinScopeResult): { head: ResultHead; tail: ResultTail } {
  const { excludedTokens, layers, states, perToken, ...head } = result;
  return {
    head,
    tail: {
      excludedTokens,
      layers,
      states,
      perToken: perToken && {
        nonlinearity: perToken.nonlinearity.map((row) => Float64Array.from(row, (v) => v ?? Number.NaN)),
        flash: perToken.flash.map((row) => Uint8Array.from(row)),
        flashThreshold: perToken.flashThreshold,
        unit: perToken.unit,
        reference: perToken.reference,
      },
    },
  };
}
