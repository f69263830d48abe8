import { describe, expect, it } from 'vitest';
import { fitReferenceMaps } from '../analysis';
import { loadFixture } from '../analysis/testing/fixture';
import { isFittedReference, MemoryFitStore, type ReferenceFitKeyParts } from '../job/fitStore';
import type { FittedReference } from '../job/fittedReference';
import { referenceFitKey } from '../job/referenceFit';
import { writeFitFile } from './fitFile';
import {
  checkFitFile,
  checkFitFileSize,
  type FitImportTarget,
  importFitFile,
  isFitFileBlob,
  pageFitMismatch,
  setAsideFitNote,
} from './fitImport';
import { readSafetensors, writeSafetensors } from './safetensors';

/** Maps fitted on the analysis fixture's reference states (d = 24, 3 pairs), as a job keeps them. */
function fittedReference(): FittedReference {
  const fit = fitReferenceMaps(loadFixture('small').states('reference_states'));
  return {
    fit,
    composition: {
      tokens: fit.n,
      quantile: fit.quantile,
      documents: 1,
      corpusDocuments: 1,
      sampling: { rule: 'seeded-chunks', seed: 1, chunkTokens: 64 },
      heldOut: { tokens: 0, documents: 0 },
    },
    heldOutFlashRate: fit.pairs.map(() => null),
    seenIds: [1, 2, 3],
  };
}

/** What the command line records (made on the CPU), and what the page looks up (on WASM). */
const CLI_PARTS: ReferenceFitKeyParts = {
  model: 'linscope/tiny-gpt2|main|fp32|cpu',
  dtype: 'fp32',
  reference: 'bundled:reference-en.txt',
  content: '0123abcd0123ab',
  sampling: 'reference/v2 seeded-chunks seed 1: 4096 tokens in windows of 256',
  settings: 'all-positions|quantile 0.99',
};
const PAGE_PARTS: ReferenceFitKeyParts = { ...CLI_PARTS, model: 'linscope/tiny-gpt2|main|fp32|wasm' };
const target = (parts: Partial<ReferenceFitKeyParts> = {}, layers = 3, hidden = 24): FitImportTarget => ({
  parts: { ...PAGE_PARTS, ...parts },
  config: { layers, hidden },
});

const fitted = fittedReference();
const file = writeFitFile(CLI_PARTS, fitted);

/** The fit file with its tensors and metadata changed by `edit`. */
function edited(edit: (tensors: ReturnType<typeof readSafetensors>) => void): Uint8Array {
  const copy = readSafetensors(file.slice());
  edit(copy);
  return writeSafetensors(copy.tensors, copy.metadata);
}

describe('importFitFile()', () => {
  it('stores a matching fit under the key the page looks up, bit for bit, and says so', async () => {
    const store = new MemoryFitStore();
    const message = await importFitFile(file, 'fit.safetensors', target(), store);
    expect(message).toBe(
      `Reference fit loaded from fit.safetensors: 3 layer pair maps of linscope/tiny-gpt2 (fp32) fitted on ${fitted.fit.n} tokens of bundled:reference-en.txt; the next analysis of linscope/tiny-gpt2 uses it instead of running the reference. It was made on cpu and the page runs wasm: the model's states differ there by rounding only.`,
    );
    const stored = await store.get(referenceFitKey(PAGE_PARTS));
    expect(stored?.fit.pairs[1]?.map.weights).toEqual(fitted.fit.pairs[1]?.map.weights);
    expect(stored?.fit.pairs[2]?.threshold).toBe(fitted.fit.pairs[2]?.threshold);
    expect(stored?.seenIds).toEqual([1, 2, 3]);
    // Nothing under the command line's own key: the page never looks there.
    expect(await store.get(referenceFitKey(CLI_PARTS))).toBeUndefined();
  });

  it('says nothing of the device when the page made the fit on its own device', async () => {
    const message = await importFitFile(
      writeFitFile(PAGE_PARTS, fitted),
      'fit.safetensors',
      target(),
      new MemoryFitStore(),
    );
    expect(message).not.toMatch(/made on/);
  });

  it('stores nothing when the fit is refused', async () => {
    const store = new MemoryFitStore();
    await expect(importFitFile(file, 'fit.safetensors', target({ dtype: 'q8' }), store)).rejects.toThrow(
      /another|q8/,
    );
    expect(await store.get(referenceFitKey({ ...PAGE_PARTS, dtype: 'q8' }))).toBeUndefined();
  });

  it('marks the stored fit as opened from the file, a whole fit as the store checks it', async () => {
    const store = new MemoryFitStore();
    await importFitFile(
      writeFitFile(CLI_PARTS, { ...fitted, weights: 'feedfacefeedface' }),
      'tuned.fit.safetensors',
      target(),
      store,
    );
    const stored = await store.get(referenceFitKey(PAGE_PARTS));
    expect(stored?.openedFrom).toBe('tuned.fit.safetensors');
    expect(stored?.weights).toBe('feedfacefeedface');
    expect(isFittedReference(stored)).toBe(true);
    expect(isFittedReference({ ...stored, openedFrom: 7 })).toBe(false);
  });
});

describe('importFitFile() with the model loaded', () => {
  const tuned = writeFitFile(CLI_PARTS, { ...fitted, weights: 'feedfacefeedface' });

  it('refuses a fit made for other weights at once, naming both fingerprints, and stores nothing', async () => {
    const store = new MemoryFitStore();
    await expect(
      importFitFile(tuned, 'tuned.fit.safetensors', { ...target(), weights: '0123456789abcdef' }, store),
    ).rejects.toThrow(
      "tuned.fit.safetensors was fitted for other weights of linscope/tiny-gpt2 (fingerprint feedfacefeedface; the loaded model's are 0123456789abcdef: another checkpoint or fine-tune under the same name), so it is not used. Open the fit saved for these weights, or press Analyze to fit the reference for them.",
    );
    expect(await store.get(referenceFitKey(PAGE_PARTS))).toBeUndefined();
  });

  it('takes a fit for the same weights, and one saved before fits recorded their weights', async () => {
    for (const bytes of [tuned, file]) {
      const store = new MemoryFitStore();
      await importFitFile(bytes, 'fit.safetensors', { ...target(), weights: 'feedfacefeedface' }, store);
      expect(await store.get(referenceFitKey(PAGE_PARTS))).toBeDefined();
    }
  });
});

describe('setAsideFitNote()', () => {
  it('says that an opened fit made for other weights is not used, naming both fingerprints', () => {
    expect(
      setAsideFitNote(
        { openedFrom: 'tuned.fit.safetensors', weights: 'feedfacefeedface' },
        '0123456789abcdef',
        'linscope/tiny-gpt2',
      ),
    ).toBe(
      "The fit opened from tuned.fit.safetensors was made for other weights of linscope/tiny-gpt2 (fingerprint feedfacefeedface; this model's are 0123456789abcdef: another checkpoint or fine-tune under the same name), so it is not used: the reference is fitted again for these weights.",
    );
  });

  it('says nothing of a fit the page made itself', () => {
    expect(
      setAsideFitNote({ weights: 'feedfacefeedface' }, '0123456789abcdef', 'linscope/tiny-gpt2'),
    ).toBeNull();
  });
});

describe('pageFitMismatch()', () => {
  const mismatch = (parts: Partial<ReferenceFitKeyParts>) =>
    pageFitMismatch('fit.safetensors', CLI_PARTS, { ...PAGE_PARTS, ...parts });

  it('lets only the device differ', () => {
    expect(mismatch({})).toBeNull();
    expect(mismatch({ model: 'linscope/tiny-gpt2|main|fp32|webgpu' })).toBeNull();
  });

  it('names the part that differs, both sides, and what to do', () => {
    expect(mismatch({ model: 'Xenova/gpt2|main|fp32|wasm' })).toBe(
      'fit.safetensors was fitted for the model linscope/tiny-gpt2 (revision main), and the page has Xenova/gpt2 (revision main) selected: choose linscope/tiny-gpt2 first, then open the file again.',
    );
    expect(mismatch({ model: 'linscope/tiny-gpt2|main|q8|wasm', dtype: 'q8' })).toMatch(
      /^fit\.safetensors was fitted for linscope\/tiny-gpt2 in fp32, and the page has q8 weights selected: choose fp32 first/,
    );
    expect(mismatch({ reference: 'user:other.txt' })).toMatch(
      /fitted on the reference corpus bundled:reference-en\.txt, and the page's reference is user:other\.txt: choose the same reference/,
    );
    expect(mismatch({ content: 'ffffffffffffff' })).toMatch(
      /fitted on another text of the reference bundled:reference-en\.txt \(content 0123abcd0123ab; the page's is ffffffffffffff\)/,
    );
    expect(
      mismatch({ sampling: 'reference/v2 seeded-chunks seed 1: 4096 tokens in windows of 128' }),
    ).toMatch(
      /fitted in windows of 256 tokens, and the page runs linscope\/tiny-gpt2 in windows of 128: set the window length to 256/,
    );
    expect(
      mismatch({ sampling: 'reference/v2 seeded-chunks seed 1: 8192 tokens in windows of 256' }),
    ).toMatch(
      /another reference sampling \(reference\/v2 seeded-chunks seed 1: 4096 tokens in windows of 256\)/,
    );
    expect(mismatch({ settings: 'exclude-first-positions|quantile 0.99' })).toMatch(
      /fitted with the settings all-positions\|quantile 0\.99, and the page has exclude-first-positions\|quantile 0\.99: set "Leave each document's first token \(BOS\) out"/,
    );
  });
});

describe('checkFitFile() on hostile files', () => {
  const refusal = (bytes: Uint8Array, t = target()) => {
    try {
      checkFitFile(bytes, 'bad.safetensors', t);
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };

  it('refuses what is not a fit file: junk, truncated, wrong JSON, no format', () => {
    expect(refusal(new TextEncoder().encode('hello, not a fit'))).toMatch(
      /^bad\.safetensors is not a LinScope fit file \(/,
    );
    expect(refusal(file.subarray(0, file.byteLength >> 1))).toMatch(
      /^bad\.safetensors is not a LinScope fit file/,
    );
    expect(
      refusal(
        edited((f) => {
          f.metadata.fit = '{"d": 24, "pairs": [';
        }),
      ),
    ).toBe('bad.safetensors is not a LinScope fit file (its metadata is not JSON).');
    expect(
      refusal(
        edited((f) => {
          delete f.metadata.format;
        }),
      ),
    ).toMatch(/no linscope\.fit\/v1 format in its metadata/);
  });

  it('refuses another version of the format, saying what to do', () => {
    expect(
      refusal(
        edited((f) => {
          f.metadata.format = 'linscope.fit/v2';
        }),
      ),
    ).toBe(
      "bad.safetensors is not a usable LinScope fit file: it is linscope.fit/v2, and this LinScope reads linscope.fit/v1: make it again with this version's linscope analyze --save-fit.",
    );
  });

  it('refuses a NaN or an infinity in the maps, naming where', () => {
    const withNaN = edited((f) => {
      const weights = f.tensors.get('pair.1.weights')?.data as Float64Array;
      weights[5] = Number.NaN;
    });
    expect(refusal(withNaN)).toBe(
      "bad.safetensors is not a usable LinScope fit file: layer pair 1's weights holds NaN at index 5.",
    );
    const withInf = edited((f) => {
      (f.tensors.get('pair.0.meanY')?.data as Float64Array)[0] = Number.POSITIVE_INFINITY;
    });
    expect(refusal(withInf)).toMatch(/layer pair 0's meanY holds Infinity at index 0/);
    const badScalar = edited((f) => {
      f.metadata.fit = f.metadata.fit.replace(/"meanError":[^,]+,/, '"meanError":null,');
    });
    expect(refusal(badScalar)).toMatch(/its maps or what they were fitted on are damaged/);
  });

  it('refuses maps of the wrong shape: tensors, width or depth', () => {
    const shortTensor = edited((f) => {
      f.tensors.set('pair.2.weights', { dtype: 'F64', shape: [24, 23], data: new Float64Array(24 * 23) });
    });
    expect(refusal(shortTensor)).toMatch(/tensor pair\.2\.weights is missing or not 576 float64 values/);
    expect(refusal(file, target({}, 3, 128))).toBe(
      "bad.safetensors is not a usable LinScope fit file: its maps are 24 x 24, and the model's hidden width is 128.",
    );
    expect(refusal(file, target({}, 4, 24))).toBe(
      'bad.safetensors is not a usable LinScope fit file: it has 3 layer pairs, and the model has 4.',
    );
  });

  it('refuses an empty or huge file before reading it', () => {
    expect(() => checkFitFileSize('big.safetensors', 2 * 1024 ** 3)).toThrow(
      'big.safetensors is not a usable LinScope fit file: it is 2.0 GB, more than the 1.0 GB the page opens.',
    );
    expect(() => checkFitFileSize('empty.safetensors', 0)).toThrow(/it is empty \(0 bytes\)/);
    expect(() => checkFitFileSize('ok.safetensors', file.byteLength)).not.toThrow();
  });
});

describe('isFitFileBlob()', () => {
  it('tells a fit file from other safetensors files by its header alone', async () => {
    expect(await isFitFileBlob(new File([file.slice()], 'fit.safetensors'))).toBe(true);
    expect(await isFitFileBlob(new File([file.slice()], 'fit.bin'))).toBe(false);
    const stats = writeSafetensors(new Map(), { linscope: '{"schema":"linscope.stats/v1"}' });
    expect(await isFitFileBlob(new File([stats.slice()], 'stats.safetensors'))).toBe(false);
    // A header length past the end of the file, and a file shorter than the length field.
    const lying = file.slice();
    new DataView(lying.buffer).setBigUint64(0, BigInt(lying.byteLength), true);
    expect(await isFitFileBlob(new File([lying], 'fit.safetensors'))).toBe(false);
    expect(await isFitFileBlob(new File([new Uint8Array(3)], 'fit.safetensors'))).toBe(false);
  });
});
