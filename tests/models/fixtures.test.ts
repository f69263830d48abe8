/**
 * The committed model folders under public/models/ load with transformers.js in Node (like the Hub's
 * folders) and reproduce the PyTorch logits stored next to them (reference.safetensors, made by
 * tools/models/make_fixtures.py and tools/models/export_tiny_gpt2.py).
 *
 * fp32: max |logit - PyTorch| <= 1e-4. q8 (onnxruntime quantize_dynamic, per-tensor uint8 weights):
 * the error depends on the weights; the bound per model is Q8_BOUNDS below (documented in each README).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTensor, readSafetensors, toFloat32 } from '../../src/share/safetensors';
import { FINETUNE_MODELS, modelLocation, REFERENCE_MODELS } from '../support/models';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = join(ROOT, 'public/models');

const FP32_BOUND = 1e-4;
/** Max |logit - PyTorch| allowed for the q8 files (measured values are in each README). */
const Q8_BOUNDS: Record<string, number> = {
  default: 0.75,
  'linscope/tiny-gpt2': 0.75,
};

interface Reference {
  ids: number[];
  logits: Float32Array;
  logitsShape: number[];
}

interface ReferenceJson {
  input_text: string;
  input_ids: number[];
  layers: number;
  hidden_size: number;
  kv_heads: number;
  head_dim: number;
}

function readReference(folder: string): Reference {
  const file = readSafetensors(new Uint8Array(readFileSync(join(folder, 'reference.safetensors'))));
  const logits = getTensor(file, 'logits');
  const hidden = getTensor(file, 'hidden_states');
  const last = getTensor(file, 'last_block_output');
  const ids = Array.from(getTensor(file, 'input_ids').data as BigInt64Array, Number);
  const T = ids.length;
  if (logits.shape[0] !== T || hidden.shape[1] !== T || last.shape[0] !== T) {
    throw new Error(`${folder}: inconsistent reference shapes`);
  }
  return { ids, logits: toFloat32(logits), logitsShape: logits.shape };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function argmaxRows(x: ArrayLike<number>, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (x[r * cols + c] > x[r * cols + best]) best = c;
    out.push(best);
  }
  return out;
}

/**
 * Model ids (relative to public/models) of folders with a reference and a standard onnx/model.onnx,
 * one or two levels down (fixtures/tiny-gpt2-finetune/step-N holds a fine-tune's checkpoints).
 */
function modelIds(): string[] {
  const ids: string[] = [];
  const isModel = (folder: string) =>
    existsSync(join(folder, 'reference.safetensors')) && existsSync(join(folder, 'onnx/model.onnx'));
  for (const group of ['fixtures', 'linscope']) {
    const dir = join(MODELS, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      if (!name.isDirectory()) continue;
      const folder = join(dir, name.name);
      if (isModel(folder)) {
        ids.push(`${group}/${name.name}`);
      } else if (!existsSync(join(folder, 'config.json'))) {
        for (const sub of readdirSync(folder, { withFileTypes: true })) {
          if (sub.isDirectory() && isModel(join(folder, sub.name)))
            ids.push(`${group}/${name.name}/${sub.name}`);
        }
      }
    }
  }
  return ids.sort();
}

/** Points transformers.js at the model (see modelLocation) and returns the id to load it by. */
function locate(id: string): string {
  const where = modelLocation(id);
  env.localModelPath = where.localModelPath;
  return where.id;
}

async function transformersLogits(id: string, dtype: 'fp32' | 'q8', ids: number[]): Promise<Float32Array> {
  const model = await AutoModelForCausalLM.from_pretrained(locate(id), { dtype, local_files_only: true });
  try {
    const T = ids.length;
    const out = await model({
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]),
      attention_mask: new Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
    });
    const logits = out.logits as Tensor;
    return Float32Array.from(logits.data as Float32Array);
  } finally {
    await model.dispose();
  }
}

beforeAll(() => {
  env.localModelPath = `${MODELS}/`;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useBrowserCache = false;
});

const IDS = modelIds();

/** The folders this test suite requires (made by tools/models/); other folders found are tested too. */
const REQUIRED = REFERENCE_MODELS;

describe('model folders in public/models', () => {
  it('holds the architecture fixtures and the default model', () => {
    for (const name of REQUIRED) expect(IDS).toContain(name);
  });

  for (const id of REQUIRED) {
    const folder = join(MODELS, id);
    for (const file of [
      'config.json',
      'generation_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'README.md',
      'reference.json',
      'onnx/model.onnx',
      'onnx/model_quantized.onnx',
    ]) {
      it(`${id} has ${file}`, () => {
        expect(existsSync(join(folder, file))).toBe(true);
      });
    }
  }
});

describe('the fine-tune of the default model (fixtures/tiny-gpt2-finetune)', () => {
  const base = join(MODELS, 'linscope/tiny-gpt2');
  const validation = (id: string) =>
    (
      JSON.parse(readFileSync(join(MODELS, id, 'reference.json'), 'utf8')) as {
        validation: { stories_loss_nats_per_token: number; base_text_loss_nats_per_token: number };
      }
    ).validation;

  it('holds its checkpoints, fp32 only, found by the folder scan', () => {
    for (const id of FINETUNE_MODELS) {
      expect(IDS).toContain(id);
      for (const file of ['config.json', 'generation_config.json', 'README.md', 'reference.json']) {
        expect(existsSync(join(MODELS, id, file)), `${id}/${file}`).toBe(true);
      }
      expect(existsSync(join(MODELS, id, 'onnx/model_quantized.onnx'))).toBe(false);
    }
  });

  it("uses the base's tokenizer, byte for byte", () => {
    for (const id of FINETUNE_MODELS) {
      for (const file of ['tokenizer.json', 'tokenizer_config.json']) {
        expect(readFileSync(join(MODELS, id, file)), `${id}/${file}`).toEqual(readFileSync(join(base, file)));
      }
    }
  });

  it('is a real fine-tune: the stories get easier and the base text harder at each checkpoint (PyTorch losses)', () => {
    const losses = FINETUNE_MODELS.map(validation);
    for (let i = 1; i < losses.length; i++) {
      expect(losses[i].stories_loss_nats_per_token).toBeLessThan(losses[i - 1].stories_loss_nats_per_token);
      expect(losses[i].base_text_loss_nats_per_token).toBeGreaterThan(
        losses[i - 1].base_text_loss_nats_per_token,
      );
    }
    for (const [i, id] of FINETUNE_MODELS.entries()) {
      expect(readFileSync(join(MODELS, id, 'README.md'), 'utf8')).toContain(
        losses[i].stories_loss_nats_per_token.toFixed(3),
      );
    }
  });
});

describe.each(IDS)('%s with transformers.js', (id) => {
  const folder = join(MODELS, id);
  const ref = readReference(folder);
  const info = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8')) as ReferenceJson;
  const [T, V] = ref.logitsShape;

  it('tokenizes the reference text to the reference ids', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(locate(id), { local_files_only: true });
    expect(tokenizer.encode(info.input_text)).toEqual(ref.ids);
    expect(info.input_ids).toEqual(ref.ids);
  });

  it(`fp32 logits match PyTorch within ${FP32_BOUND}`, async () => {
    const logits = await transformersLogits(id, 'fp32', ref.ids);
    expect(logits.length).toBe(T * V);
    const diff = maxAbsDiff(logits, ref.logits);
    expect(diff).toBeLessThanOrEqual(FP32_BOUND);
  });

  const hasQ8 = existsSync(join(folder, 'onnx/model_quantized.onnx'));
  it.skipIf(!hasQ8)('q8 logits stay within the documented bound', async () => {
    const logits = await transformersLogits(id, 'q8', ref.ids);
    expect(logits.length).toBe(T * V);
    const diff = maxAbsDiff(logits, ref.logits);
    const bound = Q8_BOUNDS[id] ?? Q8_BOUNDS.default;
    expect(diff).toBeLessThanOrEqual(bound);
    // Quantization must not change the model into another one: most greedy tokens agree.
    const a = argmaxRows(logits, T, V);
    const b = argmaxRows(ref.logits, T, V);
    const agree = a.filter((x, i) => x === b[i]).length / T;
    expect(agree).toBeGreaterThanOrEqual(0.5);
  });
});

describe('fixtures/merged-if-gpt2 (old v2 layout, layers inside If)', () => {
  const folder = join(MODELS, 'fixtures/merged-if-gpt2');

  it('has decoder_model_merged.onnx and no onnx/model.onnx', () => {
    expect(existsSync(join(folder, 'onnx/decoder_model_merged.onnx'))).toBe(true);
    expect(existsSync(join(folder, 'onnx/model.onnx'))).toBe(false);
  });

  it('loads and runs in onnxruntime-node, both branches reproducing PyTorch', async () => {
    const info = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8')) as ReferenceJson;
    const ref = readReference(folder);
    const session = await ort.InferenceSession.create(join(folder, 'onnx/decoder_model_merged.onnx'));
    try {
      expect(session.inputNames).toContain('use_cache_branch');
      const T = ref.ids.length;
      const V = ref.logitsShape[1];
      const split = Math.floor(T / 2);
      const feeds = (
        ids: number[],
        pastLen: number,
        past: Record<string, ort.Tensor> | null,
        useCache: boolean,
      ) => {
        const f: Record<string, ort.Tensor> = {
          input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(pastLen + ids.length).fill(1n), [
            1,
            pastLen + ids.length,
          ]),
          use_cache_branch: new ort.Tensor('bool', new Uint8Array([useCache ? 1 : 0]), [1]),
        };
        if (session.inputNames.includes('position_ids')) {
          f.position_ids = new ort.Tensor(
            'int64',
            BigInt64Array.from(ids, (_, i) => BigInt(pastLen + i)),
            [1, ids.length],
          );
        }
        for (let i = 0; i < info.layers; i++) {
          for (const kv of ['key', 'value']) {
            f[`past_key_values.${i}.${kv}`] =
              past?.[`present.${i}.${kv}`] ??
              new ort.Tensor('float32', new Float32Array(info.kv_heads * info.head_dim), [
                1,
                info.kv_heads,
                1,
                info.head_dim,
              ]);
          }
        }
        return f;
      };
      // No-cache branch: the past inputs are dummies (length 1) and ignored.
      const first = await session.run(feeds(ref.ids.slice(0, split), 0, null, false));
      // Cache branch: continue from the presents.
      const second = await session.run(feeds(ref.ids.slice(split), split, first, true));
      const logits = new Float32Array(T * V);
      logits.set(first.logits.data as Float32Array, 0);
      logits.set(second.logits.data as Float32Array, split * V);
      expect(maxAbsDiff(logits, ref.logits)).toBeLessThanOrEqual(FP32_BOUND);
    } finally {
      await session.release();
    }
  });
});

describe('linscope/tiny-gpt2 (the trained default model)', () => {
  const id = 'linscope/tiny-gpt2';
  const folder = join(MODELS, id);
  const info = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8')) as {
    greedy: { prompt: string; prompt_ids: number[]; new_ids: number[] }[];
    validation: { loss_nats_per_token: number };
  };

  it('has a validation loss in its reference and README', () => {
    expect(info.validation.loss_nats_per_token).toBeGreaterThan(0);
    expect(readFileSync(join(folder, 'README.md'), 'utf8')).toContain(
      info.validation.loss_nats_per_token.toFixed(3),
    );
  });

  for (const dtype of ['fp32', 'q8'] as const) {
    it(`greedy generation (${dtype}, with the KV cache) reproduces PyTorch's continuations`, async () => {
      const model = await AutoModelForCausalLM.from_pretrained(locate(id), { dtype, local_files_only: true });
      const tokenizer = await AutoTokenizer.from_pretrained(locate(id), { local_files_only: true });
      try {
        let agree = 0;
        let total = 0;
        for (const g of info.greedy) {
          expect(tokenizer.encode(g.prompt)).toEqual(g.prompt_ids);
          const T = g.prompt_ids.length;
          const out = (await model.generate({
            input_ids: new Tensor('int64', BigInt64Array.from(g.prompt_ids, BigInt), [1, T]),
            attention_mask: new Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
            max_new_tokens: g.new_ids.length,
            do_sample: false,
          })) as Tensor;
          const ids = Array.from(out.data as BigInt64Array, Number).slice(T);
          if (dtype === 'fp32') {
            expect(ids, g.prompt).toEqual(g.new_ids);
          } else {
            // q8 may diverge after a near-tie; the first tokens must agree.
            expect(ids.slice(0, 3), g.prompt).toEqual(g.new_ids.slice(0, 3));
          }
          agree += ids.filter((x, i) => x === g.new_ids[i]).length;
          total += g.new_ids.length;
        }
        expect(agree / total).toBeGreaterThan(dtype === 'fp32' ? 0.999 : 0.3);
      } finally {
        await model.dispose();
      }
    });
  }
});
