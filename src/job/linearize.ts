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
import { planWindows } from '../model/windows';
import { toAffineMap32 } from './affineMaps';
import type { ReferenceCorpus } from './corpus';
import type { ReferenceFitStore } from './fitStore';
import { runForwardWindows } from './forwardWindows';
import { loadModel } from './modelCache';
import { fitReferenceMapsInParallel, type PairWorkers } from './parallelPairs';
import type { JobProgress } from './progress';
import { referenceFit } from './referenceFit';
import type { ReplacementMetrics, ReplacementSpec, ResultLinearize } from './result';
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
  fitStore?: ReferenceFitStore;
  pairWorkers?: PairWorkers;
}

/** A variant of the model to score: what happens to each block. */
interface Variant {
  readonly changes: readonly BlockChange[];
}

/** Sums over the scored positions of one variant. */
class MetricSums {
  loss = 0;
  top1Changed = 0;
  kl = 0;
  positions = 0;

  metrics(originalLoss: number): ReplacementMetrics {
    const n = Math.max(1, this.positions);
    const loss = this.loss / n;
    return {
      loss,
      perplexity: Math.exp(loss),
      lossIncrease: loss - originalLoss,
      top1Changed: this.top1Changed / n,
      kl: this.kl / n,
    };
  }
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
      fit: await referenceFit(model, job.reference, job.settings, windowLength, hooks),
      name: job.reference.name,
    };
  }
  const run = await runForwardWindows(model, job.texts, windowLength, 'input', hooks);
  const starts = job.settings.excludeBos ? run.windows.map((w) => w.start) : [];
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

/** One window: its ids, and the index of its first kept token in the result's `tokens`. */
interface WindowRun {
  ids: number[];
  keepFrom: number;
  row: number;
}

function windowsOf(model: HiddenStateModel, texts: readonly string[], windowLength: number): WindowRun[] {
  const bos = model.config.bosTokenId;
  const out: WindowRun[] = [];
  let row = 0;
  for (const text of texts) {
    for (const w of planWindows(model.encode(text), windowLength, bos)) {
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
  const windowLength = Math.max(
    2,
    Math.min(job.settings.maxWindow, model.contextLength ?? job.settings.maxWindow),
  );
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

  const windows = windowsOf(model, texts, windowLength);
  const T = windows.reduce((n, w) => n + w.ids.length - w.keepFrom, 0);
  const original = new MetricSums();
  const sums = variants.map(() => new MetricSums());
  const lossDeltas = job.runs.map(() => new Array<number | null>(T).fill(null));
  const total = windows.length * (variants.length + 1);
  let done = 0;
  for (const w of windows) {
    await checkpoint();
    const base = await runner.logits(w.ids, []);
    const V = base.vocab;
    const n = w.ids.length;
    const baseLogprobs = logSoftmaxRows(base.logits, n, V);
    const baseLoss = nextTokenLoss(baseLogprobs, w.ids, V);
    const baseTop = topTokens(baseLogprobs, n, V);
    hooks.onProgress?.({ stage: 'replace', done: ++done, total });
    // Positions whose prediction is scored: kept tokens with a next token in this window.
    for (let t = w.keepFrom; t < n - 1; t++) {
      original.loss += baseLoss[t];
      original.positions++;
    }
    for (const [v, variant] of variants.entries()) {
      await checkpoint();
      const changed = await runner.logits(w.ids, variant.changes);
      const logprobs = logSoftmaxRows(changed.logits, n, V);
      const loss = nextTokenLoss(logprobs, w.ids, V);
      const top = topTokens(logprobs, n, V);
      const kl = klDivergenceRows(baseLogprobs, logprobs, n, V);
      const s = sums[v];
      for (let t = w.keepFrom; t < n - 1; t++) {
        s.loss += loss[t];
        s.kl += kl[t];
        if (top[t] !== baseTop[t]) s.top1Changed++;
        s.positions++;
        if (v < job.runs.length) lossDeltas[v][w.row + t - w.keepFrom] = loss[t] - baseLoss[t];
      }
      hooks.onProgress?.({ stage: 'replace', done: ++done, total });
    }
  }
  const originalLoss = original.loss / Math.max(1, original.positions);

  // Continuations of the first text's first window, cut to leave room for the new tokens.
  const prompt = windows[0].ids.slice(0, Math.max(1, windowLength - job.continuation));
  const continuation = (changes: readonly BlockChange[]) =>
    job.continuation > 0
      ? greedy(runner, model, prompt, changes, job.continuation, checkpoint)
      : Promise.resolve(null);

  const runs: ResultLinearize['runs'] = [];
  for (const [v, spec] of job.runs.entries()) {
    runs.push({
      linear: [...spec.linear].sort((a, b) => a - b),
      skip: [...spec.skip].sort((a, b) => a - b),
      ...sums[v].metrics(originalLoss),
      lossDelta: lossDeltas[v],
      continuation: await continuation(variants[v].changes),
    });
  }
  let sweep: ResultLinearize['sweep'] = null;
  if (job.sweep) {
    let next = sweepStart;
    const blocks: NonNullable<ResultLinearize['sweep']>['blocks'] = [];
    for (let l = 0; l < L; l++) {
      const linear = linearity[l] !== null ? sums[next++].metrics(originalLoss) : null;
      const skip = sums[next++].metrics(originalLoss);
      blocks.push({ block: l, linearity: linearity[l], linear, skip });
    }
    const steps = order.map(() => sums[next++].metrics(originalLoss));
    sweep = { blocks, cumulative: { order, steps } };
  }
  return {
    maps: { source: job.maps, name, tokens: fit.n, inSample: job.maps === 'self', missing: [...fit.reasons] },
    positions: original.positions,
    original: {
      loss: originalLoss,
      perplexity: Math.exp(originalLoss),
      continuation: await continuation([]),
    },
    runs,
    sweep,
  };
}
