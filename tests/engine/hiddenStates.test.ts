/**
 * The engine end to end in Node: load a model through LinScope's augmenting runtime, run one forward
 * pass, and compare every hidden state, the last block's pre-norm output and the logits with the
 * PyTorch reference (`output_hidden_states=True`) made by the repo's tools.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type * as Ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HiddenStateModel } from '../../src/model/hiddenStateModel';
import { nodeRuntime } from '../../src/model/nodeRuntime';
import { emptyCacheFeeds } from '../../src/model/windowFeeds';
import { getTensor, readSafetensors, toFloat32 } from '../../src/share/safetensors';
import { maxAbsDiff } from '../support/compare';
import { convertStories260K, ROOT, STORIES_ID } from '../support/models';

const FP32_TOLERANCE = 1e-4;

interface Reference {
  ids: number[];
  hiddenStates: Float32Array;
  hiddenShape: number[];
  lastBlockOutput: Float32Array;
  logits: Float32Array;
}

function readReference(path: string): Reference {
  const file = readSafetensors(new Uint8Array(readFileSync(path)));
  const hidden = getTensor(file, 'hidden_states');
  return {
    ids: Array.from(toFloat32(getTensor(file, 'input_ids'))),
    hiddenStates: toFloat32(hidden),
    hiddenShape: hidden.shape,
    lastBlockOutput: toFloat32(getTensor(file, 'last_block_output')),
    logits: toFloat32(getTensor(file, 'logits')),
  };
}

/** Logits of the unmodified graph, run directly in onnxruntime-node with an empty KV cache. */
async function plainLogits(
  modelPath: string,
  ids: number[],
  kvHeads: number,
  headDim: number,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(modelPath);
  const feeds = emptyCacheFeeds(
    session.inputNames,
    ids,
    { kvHeads, headDim },
    (type, data, dims) => new ort.Tensor(type, data, dims),
  );
  if (!feeds) throw new Error(`unexpected inputs ${session.inputNames.join(', ')}`);
  const out = await session.run(feeds);
  const logits = Float32Array.from(out.logits.data as Float32Array);
  await session.release();
  return logits;
}

describe('HiddenStateModel on stories260K (llama2.c, converted at test time)', () => {
  let models: Awaited<ReturnType<typeof convertStories260K>>;
  let model: HiddenStateModel;
  const reference = readReference(join(ROOT, 'tests/fixtures/stories260k/reference.safetensors'));

  beforeAll(async () => {
    models = await convertStories260K();
    const rt = await nodeRuntime();
    rt.transformers.env.localModelPath = models.root;
    rt.transformers.env.allowLocalModels = true;
    rt.transformers.env.allowRemoteModels = false;
    model = await HiddenStateModel.load(rt, { id: STORIES_ID, dtype: 'fp32', device: 'cpu' });
  });

  afterAll(async () => {
    await model?.dispose();
    await models?.cleanup();
  });

  it('finds the 6 states by structure: embeddings, 4 block outputs, the final norm', () => {
    expect(model.augmentation.plan).toMatchObject({
      style: 'residual-add',
      layers: 5,
      hiddenStates: [
        '/model/embed_tokens/Gather_output_0',
        '/model/layers.0/Add_1_output_0',
        '/model/layers.1/Add_1_output_0',
        '/model/layers.2/Add_1_output_0',
        '/model/layers.3/Add_1_output_0',
        '/model/norm/Mul_1_output_0',
      ],
      lastBlockOutput: '/model/layers.4/Add_1_output_0',
    });
  });

  it('returns all L+1 hidden states, the pre-norm last state and the logits of PyTorch within 1e-4', async () => {
    const result = await model.forward(reference.ids, { logits: true });
    expect([result.layers + 1, result.tokens, result.hidden]).toEqual(reference.hiddenShape);
    expect(result.vocab).toBe(512);
    expect(maxAbsDiff(result.hiddenStates, reference.hiddenStates)).toBeLessThanOrEqual(FP32_TOLERANCE);
    expect(maxAbsDiff(result.lastBlockOutput, reference.lastBlockOutput)).toBeLessThanOrEqual(FP32_TOLERANCE);
    expect(maxAbsDiff(result.logits ?? [], reference.logits)).toBeLessThanOrEqual(FP32_TOLERANCE);
  });

  it('fetches no logits unless asked (the analysis reads none), and still knows the vocabulary', async () => {
    const result = await model.forward(reference.ids);
    expect(result.logits).toBeNull();
    expect(result.vocab).toBe(512);
    expect(maxAbsDiff(result.hiddenStates, reference.hiddenStates)).toBeLessThanOrEqual(FP32_TOLERANCE);
  });

  it('leaves the logits exactly as the unmodified graph computes them', async () => {
    const result = await model.forward(reference.ids, { logits: true });
    const plain = await plainLogits(join(models.root, STORIES_ID, 'onnx/model.onnx'), reference.ids, 4, 8);
    expect(maxAbsDiff(result.logits ?? [], plain)).toBeLessThanOrEqual(1e-6);
  });

  it('a warm-up (loading ahead) changes no number of the next forward pass, and runs once', async () => {
    const rt = await nodeRuntime();
    const fresh = await HiddenStateModel.load(rt, { id: STORIES_ID, dtype: 'fp32', device: 'cpu' });
    try {
      const runs = vi.spyOn((fresh as unknown as { session: Ort.InferenceSession }).session, 'run');
      // A forward pass asked for while the warm-up runs waits for it (one run at a time).
      const warming = fresh.warmUp();
      const result = await fresh.forward(reference.ids, { logits: true });
      await warming;
      expect(runs).toHaveBeenCalledTimes(3);
      expect(
        runs.mock.calls.slice(0, 2).every(([feeds]) => (feeds.input_ids?.dims ?? []).at(-1) === 64),
      ).toBe(true);
      const again = await model.forward(reference.ids, { logits: true });
      expect(maxAbsDiff(result.hiddenStates, again.hiddenStates)).toBe(0);
      expect(maxAbsDiff(result.logits ?? [], again.logits ?? [])).toBe(0);
      await fresh.warmUp();
      expect(runs).toHaveBeenCalledTimes(3);
    } finally {
      await fresh.dispose();
    }
  });

  it('a model disposed while it warms up lets the warm-up finish before its session is released', async () => {
    const rt = await nodeRuntime();
    const fresh = await HiddenStateModel.load(rt, { id: STORIES_ID, dtype: 'fp32', device: 'cpu' });
    const session = (fresh as unknown as { session: Ort.InferenceSession }).session;
    const runs = vi.spyOn(session, 'run');
    const release = vi.spyOn(session, 'release');
    const warming = fresh.warmUp();
    await fresh.dispose();
    expect(runs).toHaveBeenCalledTimes(2);
    expect(release.mock.invocationCallOrder[0]).toBeGreaterThan(runs.mock.invocationCallOrder[1]);
    await warming;
  });

  it('decodes each token as a reader sees it, with offsets into the text', () => {
    const tokens = model.describeTokens(reference.ids);
    expect(tokens.map((t) => t.text).join('')).toBe(
      `<s> Once upon a time, there was a little girl named Lily.`,
    );
    expect(tokens[1]).toMatchObject({ id: 403, text: ' Once', start: 3, end: 8 });
  });
});
