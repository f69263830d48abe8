/**
 * The analysis graph's head computes only the logits asked for (src/model/onnx/surgery/logitsToKeep.ts):
 * `num_logits_to_keep` = 0 gives every token's logits, equal to PyTorch's (the fixtures' reference,
 * made by tools/models/make_fixtures.py) as the unchanged graph does; 1 gives the last token's only,
 * and changes no hidden state. Heads it cannot trim are left alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { emptyCacheOrtFeeds } from '../../src/model/augmentingRuntime';
import { HiddenStateModel } from '../../src/model/hiddenStateModel';
import { nodeRuntime } from '../../src/model/nodeRuntime';
import { readOnnxGraph } from '../../src/model/onnx/reader';
import { LOGITS_TO_KEEP, trimmableHead } from '../../src/model/onnx/surgery/logitsToKeep';
import { cacheShape } from '../../src/model/windowFeeds';
import { getTensor, readSafetensors, toFloat32 } from '../../src/share/safetensors';
import { maxAbsDiff } from '../support/compare';
import { PUBLIC_MODELS } from '../support/models';

beforeAll(async () => {
  const rt = await nodeRuntime();
  rt.transformers.env.localModelPath = `${PUBLIC_MODELS}/`;
  rt.transformers.env.allowLocalModels = true;
  rt.transformers.env.allowRemoteModels = false;
});

const modelFile = (id: string, file = 'model.onnx') => join(PUBLIC_MODELS, id, 'onnx', file);

describe.each(['fixtures/tiny-random-gpt2', 'fixtures/tiny-random-llama', 'fixtures/tiny-random-qwen2'])(
  '%s: the analysis session computes only the logits asked for',
  (id) => {
    const file = readSafetensors(
      new Uint8Array(readFileSync(join(PUBLIC_MODELS, id, 'reference.safetensors'))),
    );
    const ids = Array.from(toFloat32(getTensor(file, 'input_ids')));
    const torchLogits = toFloat32(getTensor(file, 'logits'));
    const T = ids.length;
    const V = torchLogits.length / T;

    it('takes num_logits_to_keep: 0 gives PyTorch’s logits for every token, 1 the last token’s, states unchanged', async () => {
      const rt = await nodeRuntime();
      const model = await HiddenStateModel.load(rt, { id, dtype: 'fp32', device: 'cpu' });
      try {
        const session = (model as unknown as { session: Ort.InferenceSession }).session;
        expect(session.inputNames).toContain(LOGITS_TO_KEEP);
        const run = async (keep: number) => {
          const feeds = emptyCacheOrtFeeds(
            rt.runtime.ort,
            session,
            ids,
            cacheShape(model.config),
            'float32',
            keep,
          );
          if (!feeds) throw new Error('no feeds');
          const out = await session.run(feeds);
          return out;
        };
        const all = await run(0);
        const last = await run(1);
        expect(all.logits.dims).toEqual([1, T, V]);
        expect(maxAbsDiff(all.logits.data as Float32Array, torchLogits)).toBeLessThanOrEqual(1e-4);
        expect(last.logits.dims).toEqual([1, 1, V]);
        expect(
          maxAbsDiff(last.logits.data as Float32Array, torchLogits.subarray((T - 1) * V)),
        ).toBeLessThanOrEqual(1e-4);
        // Every other output (the hidden states, the cache) is the same tensor either way, bit for bit.
        for (const name of session.outputNames.filter((n) => n !== 'logits'))
          expect(maxAbsDiff(all[name].data as Float32Array, last[name].data as Float32Array), name).toBe(0);
        // The analysis forward (no logits read) gives the states of a forward that reads them.
        const plain = await model.forward(ids);
        const withLogits = await model.forward(ids, { logits: true });
        expect(maxAbsDiff(plain.hiddenStates, withLogits.hiddenStates)).toBe(0);
        expect(maxAbsDiff(withLogits.logits ?? [], torchLogits)).toBeLessThanOrEqual(1e-4);
      } finally {
        await model.dispose();
      }
    });
  },
);

describe('heads that are not trimmed', () => {
  it('a head that is no MatMul (a quantised chain ending in Mul) is left as it is', () => {
    const graph = readOnnxGraph(
      new Uint8Array(readFileSync(modelFile('fixtures/tiny-random-gpt2', 'model_quantized.onnx'))),
    );
    expect(graph.outputs).toContain('logits');
    expect(trimmableHead(graph)).toBeNull();
  });

  it('a graph that already takes num_logits_to_keep is left as it is', () => {
    const graph = readOnnxGraph(new Uint8Array(readFileSync(modelFile('fixtures/tiny-random-gpt2'))));
    expect(trimmableHead(graph)?.opType).toBe('MatMul');
    expect(trimmableHead({ ...graph, inputs: [...graph.inputs, LOGITS_TO_KEEP] })).toBeNull();
  });

  it('a head on the q4 weights (MatMulNBits) is trimmed too', () => {
    const graph = readOnnxGraph(
      new Uint8Array(readFileSync(modelFile('fixtures/formats-llama', 'model_q4.onnx'))),
    );
    expect(trimmableHead(graph)).toMatchObject({ opType: 'MatMulNBits', domain: 'com.microsoft' });
  });
});
