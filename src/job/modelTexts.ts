/**
 * The model's own text as a reference corpus (`ModelTextReference`): seeded samples at temperature 1,
 * written when a fit needs them, with progress and cancel between samples.
 */
import type { HiddenStateModel } from '../model/hiddenStateModel';
import type { ModelTextReference } from './corpus';
import type { JobProgress } from './progress';

/** Tokens per sample: long enough for real context, short enough to draw from many samples. */
export const MODEL_TEXT_SAMPLE_TOKENS = 256;

export interface ModelTextControl {
  readonly signal?: AbortSignal;
  /** Lets the host's event loop run between samples (a worker reads Cancel then). */
  readonly yieldToEvents?: () => Promise<void>;
  readonly onProgress?: (progress: JobProgress) => void;
}

/**
 * `count` samples of the model, sample i seeded with `reference.seed * 1_000_003 + i` (so any
 * sample can be made again alone), each up to `tokens` new tokens, decoded without special tokens.
 * Empty samples (the model ended at once) are dropped.
 */
export async function sampleModelTexts(
  model: Pick<HiddenStateModel, 'sample' | 'decode'>,
  reference: ModelTextReference,
  count: number,
  tokens: number,
  control: ModelTextControl = {},
): Promise<string[]> {
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    await control.yieldToEvents?.();
    control.signal?.throwIfAborted();
    control.onProgress?.({ stage: 'sample', done: i, total: count });
    const ids = await model.sample(reference.seed * 1_000_003 + i, tokens);
    const text = model.decode(ids);
    if (text.trim().length > 0) texts.push(text);
  }
  control.signal?.throwIfAborted();
  control.onProgress?.({ stage: 'sample', done: count, total: count });
  return texts;
}

/** Samples enough for `needed` reference tokens (fit and held out), with a tenth more for what decoding and re-tokenising lose. */
export function modelTextSampleCount(needed: number, tokensPerSample: number): number {
  return Math.max(1, Math.ceil((needed * 1.1) / tokensPerSample));
}
