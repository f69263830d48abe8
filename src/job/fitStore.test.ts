import { describe, expect, it } from 'vitest';
import type { ReferenceFit } from '../analysis';
import { contentHash, MemoryFitStore } from './fitStore';
import type { FittedReference } from './fittedReference';

describe('contentHash()', () => {
  it('tells corpora apart by content, not by count or name', () => {
    expect(contentHash(['In the beginning'])).toBe(contentHash(['In the beginning']));
    expect(contentHash(['In the beginning'])).not.toBe(contentHash(['In the Beginning']));
    expect(contentHash(['ab'])).not.toBe(contentHash(['a', 'b']));
    expect(contentHash([])).toMatch(/^[0-9a-f]{14}$/);
  });
});

describe('MemoryFitStore', () => {
  it('returns what was put under the same key only', async () => {
    const store = new MemoryFitStore();
    const maps = { d: 4, n: 40, quantile: 0.99, pairs: [], reasons: [] } as unknown as ReferenceFit;
    const fit: FittedReference = {
      fit: maps,
      composition: {
        tokens: 40,
        quantile: 0.99,
        documents: 2,
        corpusDocuments: 3,
        sampling: { rule: 'seeded-chunks', seed: 1, chunkTokens: 16 },
        heldOut: { tokens: 0, documents: 0 },
      },
      heldOutFlashRate: [],
      seenIds: [],
    };
    await store.put('k', fit);
    expect(await store.get('k')).toBe(fit);
    expect(await store.get('other')).toBeUndefined();
  });
});
