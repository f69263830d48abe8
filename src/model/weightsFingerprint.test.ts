import { describe, expect, it } from 'vitest';
import { bytesFile, SAMPLES, SLICE, sampleRanges, weightsFingerprint } from './weightsFingerprint';

const random = (n: number, seed = 1) => {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

describe('sampleRanges', () => {
  it('takes a small file whole, and nothing of an empty one', () => {
    expect(sampleRanges(10)).toEqual([[0, 10]]);
    expect(sampleRanges(SAMPLES * SLICE)).toEqual([[0, SAMPLES * SLICE]]);
    expect(sampleRanges(0)).toEqual([]);
  });

  it('spreads its slices over a large file, first and last byte included, in order and inside it', () => {
    const size = 500_000_000 + 7;
    const ranges = sampleRanges(size);
    expect(ranges).toHaveLength(SAMPLES);
    expect(ranges[0]).toEqual([0, SLICE]);
    expect(ranges[SAMPLES - 1]).toEqual([size - SLICE, size]);
    for (const [k, [start, end]] of ranges.entries()) {
      expect(end - start).toBe(SLICE);
      if (k > 0) expect(start).toBeGreaterThan(ranges[k - 1][1]);
    }
  });
});

describe('weightsFingerprint', () => {
  const size = SAMPLES * SLICE * 8;
  const model = random(size);

  it('is the same for the same bytes, however they are held', () => {
    const copy = new Uint8Array(model);
    expect(weightsFingerprint([bytesFile('model', copy)])).toBe(
      weightsFingerprint([bytesFile('model', model)]),
    );
    const reads: [number, number][] = [];
    const byRanges = {
      name: 'model',
      size,
      read: (start: number, end: number) => {
        reads.push([start, end]);
        return model.slice(start, end);
      },
    };
    expect(weightsFingerprint([byRanges])).toBe(weightsFingerprint([bytesFile('model', model)]));
    expect(reads).toEqual(sampleRanges(size));
  });

  it('changes with a byte in a sampled slice, the size, a file’s name, or an external file', () => {
    const base = weightsFingerprint([bytesFile('model', model)]);
    const [start] = sampleRanges(size)[100];
    const changed = new Uint8Array(model);
    changed[start + 5] ^= 1;
    expect(weightsFingerprint([bytesFile('model', changed)])).not.toBe(base);
    expect(weightsFingerprint([bytesFile('model', model.subarray(0, size - 1))])).not.toBe(base);
    expect(weightsFingerprint([bytesFile('other', model)])).not.toBe(base);
    const data = random(5000, 2);
    const withData = weightsFingerprint([bytesFile('model', model), bytesFile('model.onnx_data', data)]);
    expect(withData).not.toBe(base);
    const otherData = new Uint8Array(data);
    otherData[4999] ^= 0x80;
    expect(weightsFingerprint([bytesFile('model', model), bytesFile('model.onnx_data', otherData)])).not.toBe(
      withData,
    );
    // A file that cannot be read counts apart from one that can.
    expect(weightsFingerprint([{ name: 'model', size, read: () => null }])).not.toBe(base);
  });

  it('is 16 hex digits', () => {
    expect(weightsFingerprint([bytesFile('model', model)])).toMatch(/^[0-9a-f]{16}$/);
  });
});
