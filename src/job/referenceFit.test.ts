import { describe, expect, it } from 'vitest';
import type { HiddenStateModel } from '../model/hiddenStateModel';
import type { ReferenceCorpus } from './corpus';
import { referenceFitKey, referenceFitKeyParts, referenceFitTokens } from './referenceFit';
import { DEFAULT_SETTINGS } from './settings';

type KeyModel = Pick<HiddenStateModel, 'spec' | 'config'>;

const model = (dtype: 'fp32' | 'q8', device: 'wasm' | 'webgpu' = 'wasm'): KeyModel =>
  ({
    spec: { id: 'linscope/tiny-gpt2', dtype, device },
    config: { hidden: 128 },
  }) as unknown as KeyModel;

const bundled: ReferenceCorpus = { source: 'bundled', name: 'reference-en.txt', texts: ['In the beginning'] };

const key = (
  m: KeyModel = model('fp32'),
  reference: ReferenceCorpus = bundled,
  settings = DEFAULT_SETTINGS,
  windowLength = 256,
  tokens?: number,
) => referenceFitKey(referenceFitKeyParts(m, reference, settings, windowLength, { tokens }));

describe('the reference fit key', () => {
  it('is the same for the same model, dtype, reference, sampling and settings', () => {
    expect(key()).toBe(key(model('fp32'), { ...bundled, texts: ['In the beginning'] }));
    // The default budget for d = 128: the floor of 4096 tokens.
    expect(key()).toBe(key(model('fp32'), bundled, DEFAULT_SETTINGS, 256, 4096));
  });

  it('tells apart everything a fit depends on', () => {
    const keys = [
      key(),
      key(model('q8')),
      key(model('fp32', 'webgpu')),
      key(model('fp32'), { ...bundled, texts: ['In the Beginning'] }),
      key(model('fp32'), { ...bundled, name: 'other.txt' }),
      key(model('fp32'), { ...bundled, source: 'user' }),
      key(model('fp32'), bundled, DEFAULT_SETTINGS, 128),
      key(model('fp32'), bundled, DEFAULT_SETTINGS, 256, 2048),
      referenceFitKey(
        referenceFitKeyParts(model('fp32'), bundled, DEFAULT_SETTINGS, 256, {
          sampling: { rule: 'seeded-chunks', seed: 2 },
        }),
      ),
      referenceFitKey(
        referenceFitKeyParts(model('fp32'), bundled, DEFAULT_SETTINGS, 256, {
          sampling: { rule: 'prefix', seed: 1 },
        }),
      ),
      key(model('fp32'), bundled, { ...DEFAULT_SETTINGS, excludeBos: true }),
      key(model('fp32'), bundled, { ...DEFAULT_SETTINGS, flashQuantile: 0.95 }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('names its parts: the dtype, a hash of the content, and the sampling in words', () => {
    const parts = referenceFitKeyParts(model('q8'), bundled, DEFAULT_SETTINGS, 256, { tokens: 2048 });
    expect(parts).toMatchObject({
      model: 'linscope/tiny-gpt2|main|q8|wasm',
      dtype: 'q8',
      reference: 'bundled:reference-en.txt',
      sampling: 'reference/v2 seeded-windows seed 1: 2048 tokens in windows of 256',
      settings: 'all-positions|quantile 0.99',
    });
    expect(parts.content).toMatch(/^[0-9a-f]{14}$/);
    expect(referenceFitTokens(model('fp32'))).toBe(4096);
  });

  it('settings that do not change the maps do not change the key', () => {
    expect(
      key(model('fp32'), bundled, { ...DEFAULT_SETTINGS, heldOutFraction: 0.5, excludeMassive: true }),
    ).toBe(key());
  });
});
