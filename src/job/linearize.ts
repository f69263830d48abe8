/**
 * The paper's replacement experiment on a text: blocks replaced by their affine maps (or skipped),
 * the model run again, and its next-token predictions compared with the original's (loss,
 * perplexity, top-1 changes, KL), per run and, for the sweep, per block and cumulatively
 * (docs/linearize.md). Host-agnostic like `runAnalyzeJob`.
 */
import {
  keptTokens,
  klDivergenceRows,
  logSoftmaxRows,
  nextTokenLoss,
  type ReferenceFit,
  topTokens,
} from '../analysis';
import { LinScopeError } from '../errors';
import type { LinScopeRuntime } from '../model/augmentingRuntime';
import type { AffineMap32, BlockChange, BlockReplacementRunner } from '../model/blockReplacement';
import type { HiddenStateModel, ModelSpec } from '../model/hiddenStateModel';
import { toAffineMap32 } from './affineMaps';
import type { ReferenceCorpus } from './corpus';
import type { ReferenceFitStore } from './fitStore';
import type { FittedReference } from './fittedReference';
import { analysisWindowLength, planTexts, runForwardWindows } from './forwardWindows';
import { assemble, MetricSums } from './linearizeMetrics';
import { loadModel } from './modelCache';
import { fitReferenceMapsInParallel, type PairWorkers } from './parallelPairs';
import type { JobProgress } from './progress';
import { referenceFit } from './referenceFit';
import type { ReplacementSpec, ResultLinearize } from './result';
import type { AnalysisSettings } from './settings';

export interface LinearizeJob {
  model: ModelSpec;
  /** One prompt, or the documents of a corpus. */
  texts: string[];
  settings: AnalysisSettings;
  /** The reference corpus (needed for `maps: 'reference'`). */
  reference: ReferenceCorpus | null;
  /** Maps fitted on the reference corpus (out of sample for the text) or on the text itself (in sample). */
  maps: 'reference' | 'self';
  /** Replacements to measure, each a set of blocks changed together. */
  runs: ReplacementSpec[];
  /** Also every block alone (linearized, skipped) and the cumulative curve. */
  sweep: boolean;
  /** Greedy continuation tokens of the first text, for the original and each run (0: none). */
  continuation: number;
}

export interface LinearizeHooks {
  signal?: AbortSignal;
  /**
   * Lets the host's event loop run between model runs. In a worker, a Cancel message is handled
   * only then: onnxruntime-web's wasm runs resolve without returning to the event loop, so without
   * this a cancelled sweep ran to its end.
   */
  yieldToEvents?: () => Promise<void>;
  onProgress?: (progress: JobProgress) => void;
  /** The result so far, after each variant of the model is scored (runs and sweep entries as they complete). */
  onPartial?: (partial: ResultLinearize) => void;
  fitStore?: ReferenceFitStore;
  pairWorkers?: PairWorkers;
  /** A stored reference fit made for other weights is set aside (`ReferenceFitControl.onOtherWeights`). */
  onOtherWeights?: (stored: FittedReference, weights: string) => void;
}

/** A variant of the model to score: what happens to each block. */
interface Variant {
  readonly changes: readonly BlockChange[];
}

function checkSpec(spec: ReplacementSpec, L: number): void {
  for (const l of [...spec.linear, ...spec.skip])
    if (!Number.isInteger(l) || l < 0 || l >= L)
      throw new LinScopeError('BAD_INPUT', `There is no block ${l}: this model has blocks 0 to ${L - 1}.`);
  const both = spec.linear.filter((l) => spec.skip.includes(l));
  if (both.length > 0)
    throw new LinScopeError('BAD_INPUT', `Block ${both[0]} cannot be both linearized and skipped.`);
  if (spec.linear.length + spec.skip.length === 0)
    throw new LinScopeError('BAD_INPUT', 'Pick at least one block to linearize or skip.');
}

/** The maps for every block, fitted where asked; and a name for where they came from. */
async function blockMaps(
  model: HiddenStateModel,
  job: LinearizeJob,
  windowLength: number,
  hooks: LinearizeHooks,
): Promise<{ fit: ReferenceFit; name: string }> {
  if (job.maps === 'reference') {
    if (!job.reference)
      throw new LinScopeError(
        'BAD_INPUT',
        'Maps from the reference corpus need a reference corpus: pick one, or fit the maps on the text.',
      );
    return {
      fit: (await referenceFit(model, job.reference, job.settings, windowLength, hooks)).fit,
      name: job.reference.name,
    };
  }
  const run = await runForwardWindows(model, job.texts, windowLength, 'input', hooks);
  const starts = job.settings.excludeBos ? run.firstPositionRows : [];
  const fit = await fitReferenceMapsInParallel(
    run.states,
    { tokens: keptTokens(run.states.tokens, starts), quantile: job.settings.flashQuantile },
    { signal: hooks.signal, onProgress: hooks.onProgress },
    hooks.pairWorkers,
  );
  return { fit, name: 'the text itself' };
}

/** What happens to every block when `linear` are linearized and `skip` skipped. */
function blockChanges(
  linear: readonly number[],
  skip: readonly number[],
  maps: readonly (AffineMap32 | null)[],
  fit: ReferenceFit,
): BlockChange[] {
  return maps.map((map, l): BlockChange => {
    if (skip.includes(l)) return { kind: 'skip' };
    if (!linear.includes(l)) return { kind: 'keep' };
    if (!map)
      throw new LinScopeError(
        'BAD_INPUT',
        `Block ${l} has no map to replace it with (${fit.reasons[l] ?? 'not fitted'}). With maps fitted on the text, the text needs more tokens than the hidden size.`,
      );
    return { kind: 'map', map };
  });
}

/** Leave-one-out linearity of each block's map on its own fit tokens; null without a map. */
function mapLinearity(fit: ReferenceFit): (number | null)[] {
  return fit.pairs.map((p) => (p ? 1 - fit.n * p.meanError : null));
}

/** The original model on one window: what every variant is compared with. */
interface WindowBase {
  logprobs: Float32Array;
  loss: Float64Array;
  top: Int32Array;
  vocab: number;
}

/** Bytes of the original's log-probabilities kept across variants (see runLinearizeJob). */
const BASE_BUDGET = 256 * 1024 ** 2;

/** One window: its ids, and the index of its first kept token in the result's `tokens`. */
interface WindowRun {
  ids: number[];
  keepFrom: number;
  row: number;
}

function windowsOf(model: HiddenStateModel, texts: readonly string[], windowLength: number): WindowRun[] {
  const out: WindowRun[] = [];
  let row = 0;
  for (const plan of planTexts(model, texts, windowLength)) {
    for (const w of plan.windows) {
      out.push({ ids: w.ids, keepFrom: w.keepFrom, row });
      row += w.ids.length - w.keepFrom;
    }
  }
  return out;
}

async function greedy(
  runner: BlockReplacementRunner,
  model: HiddenStateModel,
  prompt: readonly number[],
  changes: readonly BlockChange[],
  count: number,
  checkpoint: () => Promise<void>,
): Promise<string> {
  const ids = [...prompt];
  for (let k = 0; k < count; k++) {
    await checkpoint();
    const { logits, vocab } = await runner.logits(ids, changes);
    const last = logits.subarray((ids.length - 1) * vocab, ids.length * vocab);
    let best = 0;
    for (let v = 1; v < vocab; v++) if (last[v] > last[best]) best = v;
    ids.push(best);
  }
  return model.decode(ids.slice(prompt.length));
}

export async function runLinearizeJob(
  rt: LinScopeRuntime,
  job: LinearizeJob,
  hooks: LinearizeHooks = {},
): Promise<ResultLinearize> {
  const texts = job.texts.filter((t) => t.trim().length > 0);
  if (texts.length === 0)
    throw new LinScopeError(
      'BAD_INPUT',
      'The text is empty. Type or upload some text to run the experiment on.',
    );
  const model = await loadModel(rt, { ...job.model, blockReplacement: true }, hooks.onProgress);
  const runner = model.blockReplacement();
  const L = runner.layers;
  for (const spec of job.runs) checkSpec(spec, L);
  if (job.runs.length === 0 && !job.sweep)
    throw new LinScopeError('BAD_INPUT', 'Nothing to run: pick blocks to replace, or ask for the sweep.');
  const windowLength = analysisWindowLength(job.settings.maxWindow, model.contextLength);
  const windows = windowsOf(model, texts, windowLength);
  // Each variant is scored by its loss on the next token at each kept position: a text of one
  // token has none, and a loss of 0 (perplexity 1) would read as a perfect model.
  const scored = windows.reduce((n, w) => n + Math.max(0, w.ids.length - 1 - w.keepFrom), 0);
  if (scored === 0) {
    const tokens = windows.reduce((n, w) => n + w.ids.length, 0);
    throw new LinScopeError(
      'BAD_INPUT',
      `Replacing blocks is measured by the loss of predicting each next token, and this text has none to predict (${tokens} token${tokens === 1 ? '' : 's'}${job.settings.excludeBos ? ', the first left out' : ''}). Give a longer text.`,
    );
  }
  const { fit, name } = await blockMaps(model, { ...job, texts }, windowLength, hooks);
  // Where a cancelled job stops: between model runs, after the host had a chance to hear of it.
  const checkpoint = async () => {
    await hooks.yieldToEvents?.();
    hooks.signal?.throwIfAborted();
  };
  await checkpoint();

  // Every variant to score: the runs asked for, then the sweep's. Maps in float32, made once.
  const maps = fit.pairs.map((p) => (p ? toAffineMap32(p.map) : null));
  const changes = (linear: readonly number[], skip: readonly number[]) =>
    blockChanges(linear, skip, maps, fit);
  const variants: Variant[] = job.runs.map((spec) => ({ changes: changes(spec.linear, spec.skip) }));
  const linearity = mapLinearity(fit);
  const mapped = linearity.flatMap((v, l) => (v === null ? [] : [l]));
  const order = [...mapped].sort((a, b) => (linearity[b] ?? 0) - (linearity[a] ?? 0) || a - b);
  const sweepStart = variants.length;
  if (job.sweep) {
    for (let l = 0; l < L; l++) {
      if (linearity[l] !== null) variants.push({ changes: changes([l], []) });
      variants.push({ changes: changes([], [l]) });
    }
    for (let k = 1; k <= order.length; k++) variants.push({ changes: changes(order.slice(0, k), []) });
  }

  const T = windows.reduce((n, w) => n + w.ids.length - w.keepFrom, 0);
  const vocab = model.config.vocab ?? 0;
  // The original's log-probabilities of every window are kept for the KL of each variant while they
  // fit in BASE_BUDGET bytes (a 1,024-token GPT-2 window is 200 MB); beyond that they are recomputed
  // per variant, which doubles the model runs but not the memory.
  const keepBases = T * vocab * 4 <= BASE_BUDGET;
  const total = windows.length + variants.length * windows.length * (keepBases ? 1 : 2);
  let done = 0;
  const step = () => hooks.onProgress?.({ stage: 'replace', done: ++done, total });
  const baseOf = async (w: WindowRun): Promise<WindowBase> => {
    await checkpoint();
    const { logits, vocab: V } = await runner.logits(w.ids, []);
    step();
    const logprobs = logSoftmaxRows(logits, w.ids.length, V);
    return {
      logprobs,
      loss: nextTokenLoss(logprobs, w.ids, V),
      top: topTokens(logprobs, w.ids.length, V),
      vocab: V,
    };
  };
  const original = new MetricSums();
  const bases: (WindowBase | null)[] = [];
  for (const w of windows) {
    const base = await baseOf(w);
    // Positions whose prediction is scored: kept tokens with a next token in this window.
    for (let t = w.keepFrom; t < w.ids.length - 1; t++) {
      original.loss += base.loss[t];
      original.positions++;
    }
    bases.push(keepBases ? base : null);
  }
  const originalLoss = original.loss / Math.max(1, original.positions);
  const head = (): Omit<ResultLinearize, 'runs' | 'sweep'> => ({
    maps: { source: job.maps, name, tokens: fit.n, inSample: job.maps === 'self', missing: [...fit.reasons] },
    positions: original.positions,
    original: { loss: originalLoss, perplexity: Math.exp(originalLoss), continuation: null },
  });

  const sums: MetricSums[] = [];
  const lossDeltas = job.runs.map(() => new Array<number | null>(T).fill(null));
  const collect = (): Pick<ResultLinearize, 'runs' | 'sweep'> =>
    assemble(job, sums, lossDeltas, originalLoss, { sweepStart, linearity, order, L });
  // Variant by variant, each over every window, so that each is complete when reported.
  for (const [v, variant] of variants.entries()) {
    const s = new MetricSums();
    for (const [k, w] of windows.entries()) {
      const base = bases[k] ?? (await baseOf(w));
      await checkpoint();
      const n = w.ids.length;
      const V = base.vocab;
      const changed = await runner.logits(w.ids, variant.changes);
      step();
      const logprobs = logSoftmaxRows(changed.logits, n, V);
      const loss = nextTokenLoss(logprobs, w.ids, V);
      const top = topTokens(logprobs, n, V);
      const kl = klDivergenceRows(base.logprobs, logprobs, n, V);
      for (let t = w.keepFrom; t < n - 1; t++) {
        s.loss += loss[t];
        s.kl += kl[t];
        if (top[t] !== base.top[t]) s.top1Changed++;
        s.positions++;
        if (v < job.runs.length) lossDeltas[v][w.row + t - w.keepFrom] = loss[t] - base.loss[t];
      }
    }
    sums.push(s);
    hooks.onPartial?.({ ...head(), ...collect() });
  }

  // Continuations of the first text's first window, cut to leave room for the new tokens.
  const prompt = windows[0].ids.slice(0, Math.max(1, windowLength - job.continuation));
  const continuation = (changes: readonly BlockChange[]) =>
    job.continuation > 0
      ? greedy(runner, model, prompt, changes, job.continuation, checkpoint)
      : Promise.resolve(null);
  const { runs, sweep } = collect();
  for (const [v, run] of runs.entries()) run.continuation = await continuation(variants[v].changes);
  const originalContinuation = await continuation([]);
  const result = { ...head(), runs, sweep };
  return { ...result, original: { ...result.original, continuation: originalContinuation } };
}
