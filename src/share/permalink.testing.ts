/** Results and states for the permalink tests (vitest and Playwright). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LinScopeResult } from '../job/result';
import { SHARE_DEFAULT_SETTINGS, type ShareState } from './permalinkState';

/** The recorded stories260K result (paths from the repository root, where tests run), with a state whose text its tokens came from. */
export function recordedExample(): { state: ShareState; result: LinScopeResult } {
  const result = JSON.parse(
    readFileSync(resolve('tests/fixtures/results/stories260k-example.json'), 'utf8'),
  ) as LinScopeResult;
  result.model.id = 'local/stories260K';
  // The prompt as typed: every token after BOS, joined.
  const text = result.tokens
    .slice(1)
    .map((t) => t.text)
    .join('');
  return {
    state: {
      model: { id: result.model.id, revision: 'main', dtype: 'fp32' },
      settings: { ...SHARE_DEFAULT_SETTINGS },
      reference: { kind: 'bundled' },
      input: { text, corpus: false },
      focusLayer: 2,
    },
    result,
  };
}

/** Mulberry32: seeded, so the synthetic result is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['the', 'model', 'layer', 'token', 'linear', 'map', 'of', 'and', 'a', 'residual', 'stream'];

/** A synthetic result of `T` tokens and `L` layer pairs, log-normal per-token values, for the budget. */
/** `n` characters of seeded noise: text that does not compress. */
export function noiseText(n: number, seed = 3): string {
  const random = seeded(seed);
  return Array.from({ length: n }, () => String.fromCharCode(33 + Math.floor(random() * 94))).join('');
}

export function syntheticExample(T = 2000, L = 12, seed = 7): { state: ShareState; result: LinScopeResult } {
  const random = seeded(seed);
  const words = Array.from(
    { length: T },
    (_, i) => `${i === 0 ? '' : ' '}${WORDS[Math.floor(random() * WORDS.length)]}`,
  );
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const nonlinearity = Array.from({ length: L }, () => words.map(() => Math.exp(normal())));
  const result: LinScopeResult = {
    schema: 'linscope.result/v1',
    generator: { name: 'linscope', version: '0.1.0' },
    model: {
      id: 'Xenova/gpt2',
      revision: 'main',
      layers: L,
      hidden: 768,
      dtype: 'q8',
      vocab: 50257,
      contextLength: 1024,
      graph: 'residual-add',
    },
    settings: { excludeBos: false, excludeMassive: false, heldOutFraction: 0.25, windowLength: 1024 },
    // As a tokenizer does: the same text, the same id.
    tokens: words.map((text) => ({
      id: 1000 + WORDS.indexOf(text.trim()) * 2 + (text.startsWith(' ') ? 1 : 0),
      text,
      doc: 0,
    })),
    windows: [
      { doc: 0, start: 0, end: 1024 },
      { doc: 0, start: 1024, end: T },
    ],
    excludedTokens: [0],
    layers: Array.from({ length: L }, (_, l) => ({
      pair: [l, l + 1] as [number, number],
      isFirst: l === 0,
      isLast: l === L - 1,
      linearity: 0.9 + 0.09 * random(),
      linearityNoResidual: 0.5 + 0.4 * random(),
      n: T,
      d: 768,
      chanceFloor: 768 / (T - 1),
      rank: 768,
      reason: null,
      heldOut: {
        source: 'split' as const,
        linearity: 0.8 + 0.1 * random(),
        linearityNoResidual: null,
        n: 500,
        nFit: 1500,
        reason: 'n ≤ d',
      },
      cosine: random(),
      updateRatio: 2 * random(),
    })),
    states: Array.from({ length: L + 1 }, (_, s) => ({
      index: s,
      anisotropy: random(),
      intrinsicDimension: null,
    })),
    perToken: {
      nonlinearity,
      flash: nonlinearity.map((row) => row.map((v) => (v > 8 ? 1 : 0))),
      flashThreshold: Array.from({ length: L }, () => 8),
      unit: 'relative-to-reference-mean-error',
      reference: { source: 'bundled', name: 'reference-en.txt', tokens: 6144, quantile: 0.99 },
    },
  };
  return {
    state: {
      model: { id: 'Xenova/gpt2', revision: 'main', dtype: 'q8' },
      settings: { ...SHARE_DEFAULT_SETTINGS },
      reference: { kind: 'bundled' },
      input: { text: words.join(''), corpus: false },
      focusLayer: null,
    },
    result,
  };
}

/**
 * The CLI's `linscope linearize` on the embedded tiny-gpt2 (25 tokens, 4 blocks; one run
 * linearizing block 2, the sweep, 8-token continuations), with a state whose text its tokens
 * came from: `tests/fixtures/results/tiny-gpt2-linearize.json`.
 */
export function linearizeExample(): { state: ShareState; result: LinScopeResult } {
  const result = JSON.parse(
    readFileSync(resolve('tests/fixtures/results/tiny-gpt2-linearize.json'), 'utf8'),
  ) as LinScopeResult;
  result.model.id = 'linscope/tiny-gpt2';
  return {
    state: {
      model: { id: result.model.id, revision: 'main', dtype: 'fp32' },
      settings: { ...SHARE_DEFAULT_SETTINGS },
      reference: { kind: 'bundled' },
      input: { text: result.tokens.map((t) => t.text).join(''), corpus: false },
      focusLayer: 1,
    },
    result,
  };
}

/** The link the encoder before trailing sections wrote for `linearizeExample()` without its experiment. */
export function linkBeforeExperiment(): string {
  return readFileSync(resolve('tests/fixtures/permalinks/tiny-gpt2-before-experiment.txt'), 'utf8').trim();
}
