/**
 * The forward passes of a job: texts split into windows no longer than the model's context, each
 * window run once, and the states of every layer pooled into one [L+1, N, d] array.
 */
import { firstNonFinite, type HiddenStates, hiddenStates } from '../analysis';
import { LinScopeError } from '../errors';
import type { HiddenStateModel } from '../model/hiddenStateModel';
import { planWindows, type TokenWindow } from '../model/windows';
import type { ForwardOf, JobProgress } from './progress';
import { finiteOrNull, type ResultLogitLens, type ResultToken } from './result';

export interface ForwardControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: JobProgress) => void;
  /**
   * Lets the host's event loop run between model runs: in a worker a Cancel message is handled
   * only then (onnxruntime-web's wasm runs resolve without returning to the event loop).
   */
  readonly yieldToEvents?: () => Promise<void>;
  /**
   * The most bytes the pooled states of one run may take (a browser tab's budget); a run that
   * would need more is refused before it starts. Unlimited where not given (the command line).
   */
  readonly maxStateBytes?: number;
}

/** Bytes of the pooled float32 states of N tokens: L+1 states and the last block's output, d each. */
export function pooledStateBytes(layers: number, hidden: number, tokens: number): number {
  return (layers + 2) * tokens * hidden * 4;
}

/** Why N tokens of `model` are more than `maxBytes` of states can hold, or null where they fit. */
export function stateBudgetProblem(
  model: Pick<HiddenStateModel, 'layers' | 'config'>,
  tokens: number,
  maxBytes: number | undefined,
  of: ForwardOf,
): string | null {
  const d = model.config.hidden;
  if (maxBytes === undefined || d === null) return null;
  const bytes = pooledStateBytes(model.layers, d, tokens);
  if (bytes <= maxBytes) return null;
  const gb = (b: number) =>
    b >= 1e9
      ? `${(b / 1e9).toLocaleString('en', { maximumFractionDigits: 1 })} GB`
      : `${Math.ceil(b / 1e6).toLocaleString('en')} MB`;
  const most = Math.floor(maxBytes / pooledStateBytes(model.layers, d, 1));
  return (
    `The ${of === 'input' ? 'text' : 'reference'} is ${tokens.toLocaleString('en')} tokens: their hidden states would take ${gb(bytes)} ` +
    `(${model.layers + 1} states of ${d.toLocaleString('en')} values a token, and the last block's output), more than the ${gb(maxBytes)} a tab can hold for them, ` +
    `about ${most.toLocaleString('en')} tokens of this model. Analyze a part of it, or the whole with the command line (linscope analyze, or linscope stats for corpora: docs/scale-out.md).`
  );
}

/** A SharedArrayBuffer where the host has them, else an ArrayBuffer. */
function shareableBuffer(bytes: number): ArrayBufferLike {
  return typeof SharedArrayBuffer === 'undefined' ? new ArrayBuffer(bytes) : new SharedArrayBuffer(bytes);
}

/** `count` empty rows. */
function rows<T>(count: number): T[][] {
  return Array.from({ length: count }, () => []);
}

export interface ForwardStates {
  states: HiddenStates;
  lastBlockOutput: Float32Array;
  ids: number[];
  tokens: ResultToken[];
  windows: { doc: number; start: number; end: number }[];
  /**
   * Rows whose token sat at position 0 of the sequence the model ran, ascending: each document's
   * first token (its BOS where the tokenizer adds one) and, for a text without BOS, the first token
   * of each later window. A window that got a BOS of its own (`planWindows`) starts with that BOS,
   * whose state is not kept, so none of its rows is here. `--exclude-bos` leaves these rows out.
   */
  firstPositionRows: number[];
  vocab: number;
  /** Pooled logit lens [L+1][N] over the kept tokens, where the model has one. */
  lens: ResultLogitLens | null;
}

/** The window length an analysis runs at: the setting, capped at the model's context length. */
export function analysisWindowLength(maxWindow: number, contextLength: number | null): number {
  return Math.max(2, Math.min(maxWindow, contextLength ?? maxWindow));
}

/** Each text's ids and windows (`planWindows` with the model's BOS), `doc` its index. */
export function planTexts(
  model: HiddenStateModel,
  texts: readonly string[],
  windowLength: number,
): { doc: number; ids: number[]; windows: TokenWindow[] }[] {
  const bos = model.config.bosTokenId;
  return texts.map((text, doc) => {
    const ids = model.encode(text);
    return { doc, ids, windows: planWindows(ids, windowLength, bos) };
  });
}

/**
 * Runs `texts` through the model window by window (`planWindows`) and pools every layer's states of
 * the tokens kept, in order: all of them, or the first `tokenLimit`.
 */
export async function runForwardWindows(
  model: HiddenStateModel,
  texts: readonly string[],
  windowLength: number,
  of: ForwardOf,
  control: ForwardControl,
  tokenLimit = Number.POSITIVE_INFINITY,
): Promise<ForwardStates> {
  const plans = planTexts(model, texts, windowLength);
  // The windows to run: all of them, or exactly `tokenLimit` kept tokens. The last window is cut
  // short rather than run whole: a causal model's states for the tokens kept do not depend on the
  // tokens after them (a GPT-2-sized reference: 6144 tokens instead of the 6683 of seven whole windows).
  const toRun: RunWindow[] = [];
  let N = 0;
  for (const plan of plans) {
    for (const w of plan.windows) {
      if (N >= tokenLimit) break;
      const take = Math.min(w.ids.length - w.keepFrom, tokenLimit - N);
      toRun.push({ doc: plan.doc, w: { ...w, ids: w.ids.slice(0, w.keepFrom + take) } });
      N += take;
    }
  }
  const pooled = await runWindows(
    model,
    plans.map((p) => p.ids),
    toRun,
    of,
    control,
  );
  const { windows } = pooled;
  const tokens: ResultToken[] = [];
  // Token texts per document, so characters split across windows still come out whole.
  for (const plan of plans) {
    const n = windows.filter((w) => w.doc === plan.doc).reduce((s, w) => s + w.end - w.start, 0);
    if (n === 0) continue;
    for (const t of model.describeTokens(plan.ids.slice(0, n)))
      tokens.push({ id: t.id, text: t.text, doc: plan.doc });
  }
  return { ...pooled, tokens };
}

/** One window to run: `w` of document `doc` (its `textStart` indexes that document's ids). */
export interface RunWindow {
  readonly doc: number;
  readonly w: TokenWindow;
  /**
   * The positions of `w.ids` whose states are kept, as ascending disjoint [from, to) runs (default:
   * `w.keepFrom` to the end). Several chunks of one window run once this way (`referenceSample.ts`).
   */
  readonly spans?: readonly (readonly [number, number])[];
}

/** The kept runs of a window to run. */
const spansOf = ({ w, spans }: RunWindow) => spans ?? [[w.keepFrom, w.ids.length] as const];

/**
 * Runs the given windows, in this order, and pools every layer's states of their kept tokens
 * (`spans`, by default `w.keepFrom` on). `docIds[doc]` are the ids of document `doc`; position p of
 * a window is token `w.textStart + p - w.keepFrom` of its document. `windows` gets one entry per
 * kept run.
 */
export async function runWindows(
  model: HiddenStateModel,
  docIds: readonly (readonly number[])[],
  toRun: readonly RunWindow[],
  of: ForwardOf,
  control: ForwardControl,
): Promise<Omit<ForwardStates, 'tokens'>> {
  const N = toRun.reduce((s, run) => s + spansOf(run).reduce((n, [from, to]) => n + to - from, 0), 0);
  if (N === 0) throw new LinScopeError('BAD_INPUT', 'The text has no tokens. Type or upload some text.');
  const tooMany = stateBudgetProblem(model, N, control.maxStateBytes, of);
  if (tooMany) throw new LinScopeError('BAD_INPUT', tooMany);
  // Each window's states go into the pooled arrays as soon as it has run, and its own result is
  // dropped: the job holds one window's output at a time, not all of them (its logits, [T, V],
  // 200 MB per 1,024-token window of a GPT-2, are never read).
  let pooled: {
    L: number;
    d: number;
    vocab: number;
    data: Float32Array;
    lastBlockOutput: Float32Array;
  } | null = null;
  const ids: number[] = [];
  const windows: ForwardStates['windows'] = [];
  const firstPositionRows: number[] = [];
  let lens: { topId: number[][]; topProb: number[][]; nextLoss: (number | null)[][] } | null = null;
  let row = 0;
  for (const [k, run] of toRun.entries()) {
    const { doc, w } = run;
    await control.yieldToEvents?.();
    control.signal?.throwIfAborted();
    control.onProgress?.({ stage: 'forward', of, window: k + 1, windows: toRun.length });
    const r = await model.forward(w.ids);
    const { layers: L, hidden: d } = r;
    if (pooled === null) {
      pooled = {
        L,
        d,
        vocab: r.vocab,
        // Shared where the host allows it (Node; a cross-origin isolated page), so that pair
        // workers read these states without a copy each (parallelPairs.ts).
        data: new Float32Array(shareableBuffer((L + 1) * N * d * 4)),
        lastBlockOutput: new Float32Array(N * d),
      };
      if (r.lens) lens = { topId: rows(L + 1), topProb: rows(L + 1), nextLoss: rows(L + 1) };
    }
    if (lens && !r.lens) lens = null;
    for (const [from, to] of spansOf(run)) {
      const T = to - from;
      if (lens && r.lens) {
        for (let l = 0; l <= L; l++) {
          for (let t = from; t < to; t++) {
            const at = l * r.tokens + t;
            lens.topId[l].push(r.lens.topId[at]);
            lens.topProb[l].push(r.lens.topProb[at]);
            lens.nextLoss[l].push(finiteOrNull(r.lens.nextLoss[at]));
          }
        }
      }
      for (let l = 0; l <= L; l++) {
        pooled.data.set(
          r.hiddenStates.subarray((l * r.tokens + from) * d, (l * r.tokens + to) * d),
          (l * N + row) * d,
        );
      }
      pooled.lastBlockOutput.set(r.lastBlockOutput.subarray(from * d, to * d), row * d);
      const textStart = w.textStart + from - w.keepFrom;
      ids.push(...docIds[doc].slice(textStart, textStart + T));
      windows.push({ doc, start: row, end: row + T });
      if (from === 0 && T > 0) firstPositionRows.push(row);
      row += T;
    }
  }
  // N > 0, so at least one window ran (this only tells the type checker).
  if (pooled === null) throw new LinScopeError('INTERNAL', 'runForwardWindows: no window ran');
  const { L, d, vocab, data, lastBlockOutput } = pooled;
  const states = hiddenStates(data, L + 1, N, d);
  // NaN or infinity would turn every score into NaN: the model is at fault, and the user can act.
  const bad = firstNonFinite(states);
  if (bad)
    throw new LinScopeError(
      'BAD_INPUT',
      `The model computed a non-finite value (${bad.value}) in hidden state ${bad.state} at token ${bad.token} of the ${of === 'input' ? 'text' : 'reference text'}: its weights hold NaN or infinity, or its float16 activations overflow. Try the fp32 weights, or a fresh copy of the model.`,
    );
  const lensTokens: Record<string, string> = {};
  if (lens) for (const id of new Set(lens.topId.flat())) lensTokens[id] = model.tokenText(id);
  return {
    states,
    lastBlockOutput,
    ids,
    windows,
    firstPositionRows,
    vocab,
    lens: lens ? { ...lens, tokenText: lensTokens } : null,
  };
}
