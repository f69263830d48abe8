import { describe, expect, it } from 'vitest';
import type { ResultPerToken } from '../job/result';
import { referenceNote } from './referenceNote';

const base: ResultPerToken = {
  nonlinearity: [],
  flash: [],
  flashThreshold: [],
  unit: 'relative-to-reference-mean-error',
  reference: { source: 'bundled', name: 'reference-en.txt', tokens: 1024, quantile: 0.99 },
};

describe('referenceNote()', () => {
  it('says what an old result said when the composition was not recorded', () => {
    expect(referenceNote(base)).toEqual({
      summary: 'Per-token maps fitted on 1,024 tokens of “reference-en.txt”.',
      warning: null,
    });
  });

  it('names documents, sampling and the flash rates, and warns only when the run is off the reference', () => {
    const perToken: ResultPerToken = {
      ...base,
      reference: {
        ...base.reference,
        documents: 18,
        corpusDocuments: 30,
        sampling: { rule: 'seeded-chunks', seed: 1, chunkTokens: 32 },
        heldOut: { tokens: 512, documents: 11 },
      },
      calibration: {
        nominalFlashRate: 0.01,
        heldOutFlashRate: [0.00390625, 0.01953125, null],
        flashRate: [0.05, 0.125, null],
        unseenTokenShare: 0.25,
        offReference: true,
      },
    };
    const note = referenceNote(perToken);
    expect(note.summary).toBe(
      'Per-token maps fitted on 1,024 tokens from 18 of 30 documents of “reference-en.txt” (chunks of 32 tokens drawn across the corpus, seed 1). Nominal flash rate 1.0% per pair; held-out reference text: 0.4–2.0%; this text: 5.0–13%.',
    );
    expect(note.warning).toContain('25% of its distinct tokens never occur in the reference');
    const windows = {
      ...perToken.reference,
      sampling: { rule: 'seeded-windows' as const, seed: 2, chunkTokens: 256 },
    };
    expect(referenceNote({ ...perToken, reference: windows }).summary).toContain(
      '“reference-en.txt” (windows of up to 256 tokens drawn across the corpus, seed 2).',
    );
    const calibration = { ...(perToken.calibration as NonNullable<ResultPerToken['calibration']>) };
    expect(
      referenceNote({ ...perToken, calibration: { ...calibration, offReference: false } }).warning,
    ).toBeNull();
  });
});
