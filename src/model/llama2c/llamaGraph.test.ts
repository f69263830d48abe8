import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLlama2cCheckpoint } from './checkpoint';
import { buildLlamaGraph, hiddenStateTensorNames, llamaOnnxModel } from './llamaGraph';
import { argmax, LlamaSessionRunner, maxAbsDiff } from './llamaSession.testing';
import { llama2cReferenceForward, type TinyLlamaShape, tinyCheckpointBytes } from './tinyLlama.testing';

// Small enough to check against a float64 port of run.c, but with grouped-query attention
// (2 query heads per kv head), several layers and an odd MLP width like stories260K's.
const SHAPE: TinyLlamaShape = {
  dim: 16,
  hiddenDim: 22,
  nLayers: 2,
  nHeads: 4,
  nKvHeads: 2,
  vocabSize: 40,
  seqLen: 32,
};
const HEAD_DIM = 4;
const TOKENS = [1, 5, 9, 3, 7, 2, 11, 30, 17, 17, 4];
const checkpoint = parseLlama2cCheckpoint(tinyCheckpointBytes(SHAPE, 42));
const reference = llama2cReferenceForward(checkpoint, TOKENS);

const STANDARD_OPS = new Set([
  'Gather',
  'Unsqueeze',
  'Shape',
  'Sub',
  'Range',
  'Add',
  'LessOrEqual',
  'Cast',
  'And',
  'Pow',
  'ReduceMean',
  'Sqrt',
  'Div',
  'Mul',
  'MatMul',
  'Reshape',
  'Transpose',
  'Slice',
  'Neg',
  'Concat',
  'Expand',
  'Where',
  'Softmax',
  'Sigmoid',
]);

describe('buildLlamaGraph()', () => {
  const graph = buildLlamaGraph(checkpoint);
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));

  it('uses only standard ONNX operators and unique node names', () => {
    expect(graph.nodes.every((n) => STANDARD_OPS.has(n.opType))).toBe(true);
    expect(byName.size).toBe(graph.nodes.length);
  });

  it('names the residual stream like a torch.onnx.export of Hugging Face Llama', () => {
    expect(byName.get('/model/embed_tokens/Gather')?.outputs).toEqual([
      '/model/embed_tokens/Gather_output_0',
    ]);
    for (let i = 0; i < SHAPE.nLayers; i++) {
      const add = byName.get(`/model/layers.${i}/Add`);
      const add1 = byName.get(`/model/layers.${i}/Add_1`);
      expect(add?.outputs).toEqual([`/model/layers.${i}/Add_output_0`]);
      expect(add1?.outputs).toEqual([`/model/layers.${i}/Add_1_output_0`]);
      // Block output = post-attention residual + MLP output.
      expect(add1?.inputs).toEqual([
        `/model/layers.${i}/Add_output_0`,
        `/model/layers.${i}/mlp/down_proj/MatMul_output_0`,
      ]);
      expect(byName.get(`/model/layers.${i}/input_layernorm/Mul_1`)).toBeDefined();
      expect(byName.get(`/model/layers.${i}/post_attention_layernorm/Mul_1`)).toBeDefined();
      expect(byName.get(`/model/layers.${i}/self_attn/o_proj/MatMul`)).toBeDefined();
    }
    expect(byName.get('/model/norm/Mul_1')?.inputs[1]).toBe('/model/norm/Mul_output_0');
    expect(byName.get('/lm_head/MatMul')?.inputs[0]).toBe('/model/norm/Mul_1_output_0');
    expect(byName.get('/lm_head/MatMul')?.outputs).toEqual(['logits']);
  });

  it('declares the transformers.js decoder interface', () => {
    expect(graph.inputs.map((v) => v.name)).toEqual([
      'input_ids',
      'attention_mask',
      'position_ids',
      'past_key_values.0.key',
      'past_key_values.0.value',
      'past_key_values.1.key',
      'past_key_values.1.value',
    ]);
    expect(graph.outputs.map((v) => v.name)).toEqual([
      'logits',
      'present.0.key',
      'present.0.value',
      'present.1.key',
      'present.1.value',
    ]);
  });
});

describe('the converted graph in onnxruntime', () => {
  let runner: LlamaSessionRunner;
  beforeAll(async () => {
    runner = await LlamaSessionRunner.create(
      llamaOnnxModel(checkpoint, { exposeHiddenStates: true }),
      SHAPE.nLayers,
      SHAPE.nKvHeads,
      HEAD_DIM,
    );
  });
  afterAll(() => runner.release());

  it('computes what llama2.c computes (logits and every block output)', async () => {
    const { logits, outputs } = await runner.step({ ids: [TOKENS] });
    const names = hiddenStateTensorNames(SHAPE.nLayers);
    TOKENS.forEach((_, t) => {
      expect(maxAbsDiff(logits[0][t], reference.logits[t])).toBeLessThan(1e-4);
      names.blockOutputs.forEach((name, l) => {
        const state = (outputs[name].data as Float32Array).subarray(t * SHAPE.dim, (t + 1) * SHAPE.dim);
        expect(maxAbsDiff(state, reference.blockOutputs[l][t])).toBeLessThan(1e-4);
      });
    });
    expect(outputs[names.embeddings].dims).toEqual([1, TOKENS.length, SHAPE.dim]);
    expect(outputs[names.finalNorm].dims).toEqual([1, TOKENS.length, SHAPE.dim]);
  });

  it('gives the same logits with a KV cache (chunks, then one token at a time)', async () => {
    const full = await runner.step({ ids: [TOKENS] });
    const first = await runner.step({ ids: [TOKENS.slice(0, 5)] });
    expect(first.present['past_key_values.1.key'].dims).toEqual([1, SHAPE.nKvHeads, 5, HEAD_DIM]);
    let past = first.present;
    for (let t = 5; t < TOKENS.length; t++) {
      const next = await runner.step({ ids: [[TOKENS[t]]], past });
      expect(maxAbsDiff(next.logits[0][0], full.logits[0][t])).toBeLessThan(1e-5);
      past = next.present;
    }
    expect(past['past_key_values.0.value'].dims).toEqual([1, SHAPE.nKvHeads, TOKENS.length, HEAD_DIM]);
  });

  it('respects attention_mask: a left-padded row equals the same tokens unpadded', async () => {
    const short = TOKENS.slice(0, 6);
    const pad = TOKENS.length - short.length;
    const padded = [...new Array<number>(pad).fill(0), ...short];
    const mask = [
      new Array<number>(TOKENS.length).fill(1),
      [...new Array<number>(pad).fill(0), ...short.map(() => 1)],
    ];
    // Positions as transformers.js makes them: cumsum(mask) - 1, padding at 1.
    const positions = [
      TOKENS.map((_, t) => t),
      [...new Array<number>(pad).fill(1), ...short.map((_, t) => t)],
    ];
    const batch = await runner.step({ ids: [TOKENS, padded], mask, positions });
    const alone = await runner.step({ ids: [short] });
    short.forEach((_, t) => {
      expect(maxAbsDiff(batch.logits[1][pad + t], alone.logits[0][t])).toBeLessThan(1e-5);
    });
    expect(maxAbsDiff(batch.logits[0][TOKENS.length - 1], reference.logits[TOKENS.length - 1])).toBeLessThan(
      1e-4,
    );
  });

  it('decodes greedily the same with and without the cache', async () => {
    const withoutCache = await runner.greedyWithoutCache([1], 12);
    const withCache = [1];
    let past = runner.emptyCache(1);
    for (let n = 0; n < 12; n++) {
      const step = await runner.step({ ids: [[withCache[withCache.length - 1]]], past });
      withCache.push(argmax(step.logits[0][0]));
      past = step.present;
    }
    expect(withCache).toEqual(withoutCache);
  });
});

describe('an untied classifier', () => {
  it('is converted and used for the logits', async () => {
    const untied = parseLlama2cCheckpoint(tinyCheckpointBytes(SHAPE, 5, false));
    const runner = await LlamaSessionRunner.create(
      llamaOnnxModel(untied),
      SHAPE.nLayers,
      SHAPE.nKvHeads,
      HEAD_DIM,
    );
    const { logits } = await runner.step({ ids: [TOKENS.slice(0, 4)] });
    const expected = llama2cReferenceForward(untied, TOKENS.slice(0, 4)).logits;
    expect(maxAbsDiff(logits[0][3], expected[3])).toBeLessThan(1e-4);
    await runner.release();
  });
});
