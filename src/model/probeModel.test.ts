import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { PROBE_LENGTH, probeModelBytes } from './probeModel';

describe('probeModelBytes()', () => {
  it('is a valid ONNX model that onnxruntime runs as y = x + x', async () => {
    const session = await ort.InferenceSession.create(probeModelBytes());
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);
    const x = new ort.Tensor('float32', Float32Array.from([1, -2.5, 3, 0.25]), [PROBE_LENGTH]);
    const { y } = await session.run({ x });
    expect(Array.from(y.data as Float32Array)).toEqual([2, -5, 6, 0.5]);
    await session.release();
  });
});
