import { describe, expect, it } from 'vitest';
import { CATALOG, DEFAULT_MODEL_ID, isHubId, unlistedModel } from './catalog';

describe('catalog', () => {
  it('lists the bundled default first, and every Hub entry with a size per dtype', () => {
    expect(CATALOG[0]).toMatchObject({ id: DEFAULT_MODEL_ID, source: 'bundled' });
    for (const m of CATALOG.filter((e) => e.source === 'hub'))
      expect(Object.keys(m.sizes).length).toBeGreaterThan(0);
  });

  it('isHubId() accepts owner/name and refuses paths, markup and URLs', () => {
    expect(isHubId('Xenova/gpt2')).toBe(true);
    expect(isHubId('onnx-community/Qwen2.5-0.5B-Instruct')).toBe(true);
    for (const bad of [
      'gpt2',
      '../etc/passwd',
      'a/../b',
      'javascript:alert(1)/x',
      '<img>/x',
      'a/b/c',
      'https://x/y',
    ]) {
      expect(isHubId(bad), bad).toBe(false);
    }
  });

  it('unlistedModel() marks a served model as bundled and any other id as an unknown-size Hub model', () => {
    expect(unlistedModel('fixtures/tiny-random-gpt2', true)).toMatchObject({
      source: 'bundled',
      sizes: { fp32: 0, q8: 0 },
    });
    expect(unlistedModel('someone/model', false)).toMatchObject({ source: 'hub', sizes: {} });
  });
});
