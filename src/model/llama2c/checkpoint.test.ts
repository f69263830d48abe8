import { describe, expect, it } from 'vitest';
import {
  expectedCheckpointBytes,
  Llama2cFormatError,
  parseLlama2cCheckpoint,
  readLlama2cHeader,
} from './checkpoint';
import { type TinyLlamaShape, tinyCheckpointBytes } from './tinyLlama.testing';

const SHAPE: TinyLlamaShape = {
  dim: 8,
  hiddenDim: 12,
  nLayers: 2,
  nHeads: 2,
  nKvHeads: 1,
  vocabSize: 10,
  seqLen: 6,
};

/** The float at index i of the tensor data (after the 28-byte header). */
const floatAt = (bytes: Uint8Array, i: number): number =>
  new DataView(bytes.buffer).getFloat32(28 + i * 4, true);

describe('readLlama2cHeader()', () => {
  it('reads the seven int32 and derives head size and classifier tying', () => {
    const header = readLlama2cHeader(tinyCheckpointBytes(SHAPE, 1));
    expect(header).toEqual({ ...SHAPE, headDim: 4, sharedClassifier: true });
    expect(readLlama2cHeader(tinyCheckpointBytes(SHAPE, 1, false)).sharedClassifier).toBe(false);
  });

  it('rejects files that are not legacy checkpoints', () => {
    expect(() => readLlama2cHeader(new Uint8Array(10))).toThrow(Llama2cFormatError);
    // A llama2.c v1+ file starts with the magic "ak42" and a version, not with seven sizes.
    const v1 = new Uint8Array(28);
    new DataView(v1.buffer).setUint32(0, 0x616b3432, true);
    expect(() => readLlama2cHeader(v1)).toThrow(Llama2cFormatError);
  });
});

describe('parseLlama2cCheckpoint()', () => {
  it('splits the stacked tensors per layer in legacy_export order', () => {
    const bytes = tinyCheckpointBytes(SHAPE, 2);
    const c = parseLlama2cCheckpoint(bytes);
    const { dim, hiddenDim, vocabSize } = SHAPE;
    const kvDim = 4;
    expect(c.tokenEmbedding.length).toBe(vocabSize * dim);
    expect(c.layers).toHaveLength(2);
    // Offsets (in floats) of a few tensors, counted by hand from the file layout.
    const rmsAtt = vocabSize * dim;
    const wq = rmsAtt + 2 * dim;
    const wk = wq + 2 * dim * dim;
    const w3 = wk + 2 * kvDim * dim * 2 + 2 * dim * dim + 2 * dim + 2 * hiddenDim * dim * 2;
    expect(c.layers[1].rmsAtt[0]).toBe(Math.fround(floatAt(bytes, rmsAtt + dim)));
    expect(c.layers[1].wq[0]).toBe(floatAt(bytes, wq + dim * dim));
    expect(c.layers[0].wk[3]).toBe(floatAt(bytes, wk + 3));
    expect(c.layers[1].w3[5]).toBe(floatAt(bytes, w3 + hiddenDim * dim + 5));
    expect(c.rmsFinal[0]).toBe(floatAt(bytes, w3 + 2 * hiddenDim * dim));
    expect(c.classifier).toBe(c.tokenEmbedding);
  });

  it('reads an untied classifier after the RoPE tables', () => {
    const bytes = tinyCheckpointBytes(SHAPE, 3, false);
    const c = parseLlama2cCheckpoint(bytes);
    const total = (bytes.length - 28) / 4;
    expect(c.classifier).not.toBe(c.tokenEmbedding);
    expect(c.classifier[c.classifier.length - 1]).toBe(floatAt(bytes, total - 1));
  });

  it('insists on the exact size, and accepts bytes at any offset of a larger buffer', () => {
    const bytes = tinyCheckpointBytes(SHAPE, 4);
    expect(expectedCheckpointBytes(readLlama2cHeader(bytes))).toBe(bytes.length);
    expect(() => parseLlama2cCheckpoint(bytes.subarray(0, bytes.length - 4))).toThrow(
      `checkpoint has ${(bytes.length - 4).toLocaleString('en')} bytes, a legacy v0 file with this header has ${bytes.length.toLocaleString('en')}`,
    );
    // A header whose sizes multiply past what a number spells plainly still reads as a count.
    const huge = new Uint8Array(bytes);
    new DataView(huge.buffer).setInt32(0, 2 ** 30, true);
    expect(() => parseLlama2cCheckpoint(huge)).toThrow(/has [\d,]+$/);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(parseLlama2cCheckpoint(padded.subarray(3)).rmsFinal).toEqual(
      parseLlama2cCheckpoint(bytes).rmsFinal,
    );
  });
});
