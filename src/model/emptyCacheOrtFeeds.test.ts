/**
 * The empty cache LinScope feeds a session takes the shape the session declares: a multi-query
 * export whose cache is one fused input per layer, `past_key_values.N.key_value` [batch, past,
 * 2 x head size] (GPT-BigCode's Hub exports), runs as onnxruntime-node is given it. A rank-4 feed
 * there fails in onnxruntime ("invalid rank").
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { emptyCacheOrtFeeds, type OrtModule } from './augmentingRuntime';
import { encodeOnnxModel } from './onnx/writer';

const WIDTH = 16;
const VOCAB = 6;
const TABLE = Float32Array.from({ length: VOCAB * WIDTH }, (_, i) => i / 10);

/** present = Concat(past, Gather(table, input_ids)) along the past axis, as an attention cache grows. */
function fusedCacheModel(): Uint8Array {
  return encodeOnnxModel({
    irVersion: 8,
    opsetImports: [{ version: 17 }],
    graph: {
      name: 'fused-cache',
      nodes: [
        { opType: 'Gather', inputs: ['table', 'input_ids'], outputs: ['x'] },
        {
          opType: 'Concat',
          inputs: ['past_key_values.0.key_value', 'x'],
          outputs: ['present.0.key_value'],
          attributes: [{ name: 'axis', kind: 'int', value: 1 }],
        },
      ],
      initializers: [{ name: 'table', type: 'float32', dims: [VOCAB, WIDTH], data: TABLE }],
      inputs: [
        { name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] },
        {
          name: 'past_key_values.0.key_value',
          type: 'float32',
          shape: ['batch_size', 'past_sequence_length', WIDTH],
        },
      ],
      outputs: [
        {
          name: 'present.0.key_value',
          type: 'float32',
          shape: ['batch_size', 'total_sequence_length', WIDTH],
        },
      ],
    },
  });
}

describe('emptyCacheOrtFeeds(ort, session, ...)', () => {
  it('feeds a fused multi-query cache in the rank and size its graph declares', async () => {
    const session = await ort.InferenceSession.create(fusedCacheModel());
    const ids = [3, 0, 5];
    // Config-derived heads and head size that are not the fused input's: the declaration wins.
    const feeds = emptyCacheOrtFeeds(ort as unknown as OrtModule, session, ids, { kvHeads: 1, headDim: 8 });
    if (!feeds) throw new Error('no feeds');
    expect(feeds['past_key_values.0.key_value'].dims).toEqual([1, 0, WIDTH]);
    const { 'present.0.key_value': present } = await session.run(feeds);
    expect(present.dims).toEqual([1, ids.length, WIDTH]);
    const rows = ids.flatMap((id) => Array.from(TABLE.subarray(id * WIDTH, (id + 1) * WIDTH)));
    expect(Array.from(present.data as Float32Array)).toEqual(rows);
  });
});
