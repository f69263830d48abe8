/**
 * Every architecture fixture (public/models/fixtures/, made by tools/models/make_fixtures.py) through
 * the engine in Node: the L+1 hidden states, the last block's pre-norm output and the logits against
 * the PyTorch reference (`output_hidden_states=True`).
 *
 * fp32: max abs diff <= 1e-4. q8 (dynamic uint8 quantisation of random weights): the states drift,
 * so the bound is relative: ||ours - torch|| / ||torch|| <= Q8_RELATIVE_BOUND over each tensor
 * (measured 1.7-6.2% on the block states of these fixtures, 0 on the embeddings where q8 leaves their
 * table in float, about 1% where it quantises it: BLOOM, OLMo-2, GPT-Neo; see docs/hidden-states.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LinScopeError } from '../../src/errors';
import type { ModelDtype } from '../../src/model/config';
import { findHiddenStates } from '../../src/model/hiddenStateFinder';
import { HiddenStateModel } from '../../src/model/hiddenStateModel';
import { nodeRuntime } from '../../src/model/nodeRuntime';
import { readOnnxGraph } from '../../src/model/onnx/reader';
import { getTensor, readSafetensors, toFloat32 } from '../../src/share/safetensors';
import { maxAbsDiff, relativeError } from '../support/compare';
import { FINETUNE_MODELS, modelLocation, PUBLIC_MODELS } from '../support/models';

const FP32_TOLERANCE = 1e-4;
const Q8_RELATIVE_BOUND = 0.08;

/**
 * Model ids under public/models: the architecture fixtures, the embedded default model and the
 * checkpoints of its fine-tune (fp32 only: their q8 case is skipped).
 */
const FIXTURES = [
  ['fixtures/tiny-random-gpt2', 'residual-add'],
  ['fixtures/tiny-random-llama', 'residual-add'],
  ['fixtures/tiny-random-qwen2', 'residual-add'],
  ['fixtures/tiny-random-gpt-neox', 'residual-add'],
  ['fixtures/tiny-random-opt', 'residual-add'],
  ['fixtures/tiny-random-phi', 'residual-add'],
  ['fixtures/tiny-random-phi3', 'residual-add'],
  ['fixtures/tiny-random-bloom', 'residual-add'],
  ['fixtures/tiny-random-olmo2', 'residual-add'],
  ['fixtures/tiny-random-gpt-neo', 'residual-add'],
  ['fixtures/genai-fused-llama', 'fused-skip-norm'],
  ['linscope/tiny-gpt2', 'residual-add'],
  ...FINETUNE_MODELS.map((id) => [id, 'residual-add'] as const),
] as const;

function reference(id: string) {
  const file = readSafetensors(
    new Uint8Array(readFileSync(join(PUBLIC_MODELS, id, 'reference.safetensors'))),
  );
  return {
    ids: Array.from(toFloat32(getTensor(file, 'input_ids'))),
    hiddenShape: getTensor(file, 'hidden_states').shape,
    hiddenStates: toFloat32(getTensor(file, 'hidden_states')),
    lastBlockOutput: toFloat32(getTensor(file, 'last_block_output')),
    logits: toFloat32(getTensor(file, 'logits')),
  };
}

beforeAll(async () => {
  const rt = await nodeRuntime();
  rt.transformers.env.localModelPath = `${PUBLIC_MODELS}/`;
  rt.transformers.env.allowLocalModels = true;
  rt.transformers.env.allowRemoteModels = false;
});

async function run(id: string, dtype: ModelDtype) {
  const rt = await nodeRuntime();
  const where = modelLocation(id);
  rt.transformers.env.localModelPath = where.localModelPath;
  const model = await HiddenStateModel.load(rt, { id: where.id, dtype, device: 'cpu' });
  try {
    const ref = reference(id);
    return { model, ref, result: await model.forward(ref.ids, { logits: true }) };
  } finally {
    await model.dispose();
  }
}

describe.each(FIXTURES)('engine on %s', (name, style) => {
  it(`finds the states (${style}) and matches PyTorch within ${FP32_TOLERANCE} in fp32`, async () => {
    const { model, ref, result } = await run(name, 'fp32');
    expect(model.augmentation.plan.style).toBe(style);
    expect([result.layers + 1, result.tokens, result.hidden]).toEqual(ref.hiddenShape);
    expect(maxAbsDiff(result.hiddenStates, ref.hiddenStates)).toBeLessThanOrEqual(FP32_TOLERANCE);
    expect(maxAbsDiff(result.lastBlockOutput, ref.lastBlockOutput)).toBeLessThanOrEqual(FP32_TOLERANCE);
    expect(maxAbsDiff(result.logits ?? [], ref.logits)).toBeLessThanOrEqual(FP32_TOLERANCE);
  });

  const hasQ8 = existsSync(join(PUBLIC_MODELS, name, 'onnx/model_quantized.onnx'));
  it.skipIf(!hasQ8)(`stays within ${Q8_RELATIVE_BOUND * 100}% of PyTorch in q8`, async () => {
    const { ref, result } = await run(name, 'q8');
    const L = result.layers;
    const size = result.tokens * result.hidden;
    for (let l = 0; l <= L; l++) {
      const ours = result.hiddenStates.subarray(l * size, (l + 1) * size);
      const torch = ref.hiddenStates.subarray(l * size, (l + 1) * size);
      expect(relativeError(ours, torch), `state ${l}`).toBeLessThanOrEqual(Q8_RELATIVE_BOUND);
    }
    expect(relativeError(result.lastBlockOutput, ref.lastBlockOutput)).toBeLessThanOrEqual(Q8_RELATIVE_BOUND);
    // And not trivially: quantisation does change the numbers.
    expect(maxAbsDiff(result.hiddenStates, ref.hiddenStates)).toBeGreaterThan(FP32_TOLERANCE);
  });
});

/**
 * The other file formats of the Hub, on the same model as tiny-random-llama
 * (tools/models/make_format_fixture.py): fp32 with external data, fp16 (its float16 states are
 * widened to float32), q4 (MatMulNBits). Bounds are relative, per tensor; measured 1.2e-3 (fp16)
 * and 0.22 (q4: 4-bit blocks of 16 random weights lose a lot, so this checks plumbing, not quality).
 */
describe('engine on fixture formats-llama', () => {
  it.each([
    ['fp32', 'external data', 1e-6],
    ['fp16', 'float16 graph', 5e-3],
    ['q4', 'MatMulNBits', 0.35],
  ] as const)('reads %s (%s) and matches PyTorch within a relative %s', async (dtype, _format, bound) => {
    const { model, ref, result } = await run('fixtures/formats-llama', dtype);
    expect(model.augmentation.plan.hiddenStates).toHaveLength(3);
    expect([result.layers + 1, result.tokens, result.hidden]).toEqual(ref.hiddenShape);
    expect(relativeError(result.hiddenStates, ref.hiddenStates)).toBeLessThanOrEqual(bound);
    expect(relativeError(result.lastBlockOutput, ref.lastBlockOutput)).toBeLessThanOrEqual(bound);
    if (dtype === 'fp32')
      expect(maxAbsDiff(result.hiddenStates, ref.hiddenStates)).toBeLessThanOrEqual(FP32_TOLERANCE);
  });
});

describe('engine refusals', () => {
  it('refuses the If-merged decoder graph, naming the file to use instead', () => {
    const bytes = new Uint8Array(
      readFileSync(join(PUBLIC_MODELS, 'fixtures/merged-if-gpt2/onnx/decoder_model_merged.onnx')),
    );
    expect(() => findHiddenStates(readOnnxGraph(bytes), { layers: 2 })).toThrowError(/onnx\/model\.onnx/);
  });

  it('fails to load the merged-only folder with a message, not wrong numbers', async () => {
    const rt = await nodeRuntime();
    rt.transformers.env.localModelPath = modelLocation('fixtures/merged-if-gpt2').localModelPath;
    const error = await HiddenStateModel.load(rt, {
      id: 'fixtures/merged-if-gpt2',
      dtype: 'fp32',
      device: 'cpu',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinScopeError);
    expect((error as LinScopeError).code).toBe('UNSUPPORTED_GRAPH');
    expect((error as LinScopeError).message).toMatch(/decoder_model_merged/);
  });
});
