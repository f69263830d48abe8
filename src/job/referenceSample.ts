/**
 * Which reference tokens the per-token maps are fitted on, and which are held out to check them
 * (docs/analysis.md, "The reference sample"). Every fit uses `seeded-windows`. Two earlier rules are
 * kept so that tests and studies can show what they did: `prefix`, which made LinScope's first
 * reference almost one document (the corpus's first 8 x d tokens), and `seeded-chunks`, which
 * covered the corpus as well but ran nearly all of it through the model to do so.
 */
import type { TokenWindow } from '../model/windows';
import type { RunWindow } from './forwardWindows';

/**
 * `seeded-windows`: the context windows of the whole corpus shuffled with a seeded generator; whole
 * windows are fitted on (the last cut short), the next ones held out, so fit and check are drawn
 * alike. Every token run is used, at every position a window has.
 * `seeded-chunks`: every document's context windows cut into chunks of `chunkTokens` tokens, the
 * chunks of the whole corpus shuffled, the first ones fitted on and the next ones held out; each
 * chunk needs its window's earlier tokens run in front of it, so this touches most windows.
 * `prefix`: the corpus in order, the first tokens fitted on, the next held out.
 */
export type ReferenceSamplingRule = 'seeded-windows' | 'seeded-chunks' | 'prefix';

export const REFERENCE_SAMPLING_RULES: readonly ReferenceSamplingRule[] = [
  'seeded-windows',
  'seeded-chunks',
  'prefix',
];

/** Whether `v` names a sampling rule (a stored fit or a result from outside may hold anything). */
export const isSamplingRule = (v: unknown): v is ReferenceSamplingRule =>
  REFERENCE_SAMPLING_RULES.includes(v as ReferenceSamplingRule);

export interface ReferenceSampling {
  readonly rule: ReferenceSamplingRule;
  /** Seed of the shuffle (not used by `prefix`). */
  readonly seed: number;
}

export const DEFAULT_REFERENCE_SAMPLING: ReferenceSampling = { rule: 'seeded-windows', seed: 1 };

/** One sampled run of tokens: `w.ids` from its context window's start, the tokens from `keepFrom` on kept. */
export interface SampledWindow extends RunWindow {
  /** The context window it was cut from (an index over the whole corpus's windows). */
  readonly parent: number;
}

export interface ReferenceSample {
  readonly fit: SampledWindow[];
  readonly heldOut: SampledWindow[];
  /** Tokens per chunk (`seeded-chunks`), or the window length (`seeded-windows`, `prefix`). */
  readonly chunkTokens: number;
}

/** Chunk length for a fit of `fitTokens` tokens: about 64 chunks, 16..64 tokens each. */
export function chunkLength(fitTokens: number, windowLength: number): number {
  return Math.max(1, Math.min(windowLength - 1, 64, Math.max(16, Math.floor(fitTokens / 64))));
}

/** Mulberry32: a small seeded generator of uniform numbers in [0, 1). */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Kept tokens of a window. */
const keptCount = (w: TokenWindow) => w.ids.length - w.keepFrom;

/** `w` cut to its first `take` kept tokens (a causal model's states do not depend on later tokens). */
const cut = (w: TokenWindow, take: number): TokenWindow => ({ ...w, ids: w.ids.slice(0, w.keepFrom + take) });

/**
 * Every chunk of `window`: its kept tokens cut into runs of `length`, each run with the window's
 * tokens before it as context (run, not kept), so a chunk's states are those its tokens have in the
 * whole document.
 */
function chunksOf(window: TokenWindow, length: number): TokenWindow[] {
  const chunks: TokenWindow[] = [];
  for (let from = window.keepFrom; from < window.ids.length; from += length) {
    chunks.push({
      ids: window.ids.slice(0, Math.min(window.ids.length, from + length)),
      keepFrom: from,
      textStart: window.textStart + from - window.keepFrom,
    });
  }
  return chunks;
}

/** Takes windows in order until `budget` kept tokens, the last one cut short. */
function takeTokens(windows: readonly SampledWindow[], from: number, budget: number) {
  const taken: SampledWindow[] = [];
  let tokens = 0;
  let next = from;
  for (; next < windows.length && tokens < budget; next++) {
    const { doc, w, parent } = windows[next];
    const take = Math.min(keptCount(w), budget - tokens);
    taken.push({ doc, w: cut(w, take), parent });
    tokens += take;
  }
  return { taken, next };
}

/**
 * `items` in the order of a Fisher-Yates shuffle driven by `seededUniform(seed)`: the same items and
 * seed give the same order anywhere.
 */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const uniform = seededUniform(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The fit and held-out windows of a corpus whose documents were planned into context windows
 * (`planTexts`): `fitTokens` tokens to fit on and, from what is left, up to `heldOutTokens` to check
 * the fit on. No token is in both.
 */
export function sampleReference(
  plans: readonly { doc: number; windows: readonly TokenWindow[] }[],
  sampling: ReferenceSampling,
  fitTokens: number,
  heldOutTokens: number,
  windowLength: number,
): ReferenceSample {
  const all = plans
    .flatMap((p) => p.windows.map((w) => ({ doc: p.doc, w })))
    .map((s, parent) => ({ ...s, parent }));
  if (sampling.rule === 'seeded-windows') {
    const order = shuffled(all, sampling.seed);
    const fit = takeTokens(order, 0, fitTokens);
    return {
      fit: fit.taken,
      heldOut: takeTokens(order, fit.next, heldOutTokens).taken,
      chunkTokens: windowLength,
    };
  }
  if (sampling.rule === 'prefix') {
    const fit = takeTokens(all, 0, fitTokens);
    // Held out: the windows after the fit's (the rest of a window the fit cut short is not used).
    return {
      fit: fit.taken,
      heldOut: takeTokens(all, fit.next, heldOutTokens).taken,
      chunkTokens: windowLength,
    };
  }
  const length = chunkLength(fitTokens, windowLength);
  const chunks = shuffled(
    all.flatMap(({ doc, w, parent }) => chunksOf(w, length).map((c) => ({ doc, w: c, parent }))),
    sampling.seed,
  );
  const fit = takeTokens(chunks, 0, fitTokens);
  return { fit: fit.taken, heldOut: takeTokens(chunks, fit.next, heldOutTokens).taken, chunkTokens: length };
}

/**
 * The runs to make for `sampled`: the chunks cut from one context window are run together, once,
 * up to the end of the last of them, each kept as a span (`RunWindow.spans`), so the forward passes
 * cost about the windows touched, not one window prefix per chunk.
 */
export function runsOf(sampled: readonly SampledWindow[]): RunWindow[] {
  const byParent = new Map<number, SampledWindow[]>();
  for (const s of sampled) byParent.set(s.parent, [...(byParent.get(s.parent) ?? []), s]);
  return [...byParent.values()].map((group) => {
    const longest = group.reduce((a, b) => (b.w.ids.length > a.w.ids.length ? b : a));
    const spans = group.map((s) => [s.w.keepFrom, s.w.ids.length] as const).sort((a, b) => a[0] - b[0]);
    // Any chunk's keepFrom and textStart place every span of the window (both shift together).
    const first = group.reduce((a, b) => (b.w.keepFrom < a.w.keepFrom ? b : a));
    return {
      doc: longest.doc,
      w: { ids: longest.w.ids, keepFrom: first.w.keepFrom, textStart: first.w.textStart },
      spans,
    };
  });
}
