/**
 * stories260K (llama2.c, ../shared/models/stories260K/) converted at test time into a
 * transformers.js model folder, then checked against its README, against the PyTorch reference
 * (tools/stories260k_reference.py -> tests/fixtures/stories260k/) and against itself (cache).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  Tensor,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLlama2cCheckpoint } from '../../src/model/llama2c/checkpoint';
import { hiddenStateTensorNames, llamaOnnxModel } from '../../src/model/llama2c/llamaGraph';
import { LlamaSessionRunner, maxAbsDiff } from '../../src/model/llama2c/llamaSession.testing';
import { convertLlama2cFolder } from '../../tools/convert-llama2c';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MODEL_DIR = join(ROOT, '../shared/models/stories260K');
const CHECKPOINT = join(MODEL_DIR, 'stories260K.bin');
const TOKENIZER = join(MODEL_DIR, 'tok512.bin');
const FIXTURES = join(ROOT, 'tests/fixtures/stories260k');
const MODEL_ID = 'karpathy/stories260K';

/** The hashes published in ../shared/models/stories260K/README.md. */
const EXPECTED_SHA256 = {
  'stories260K.bin': 'b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696',
  'tok512.bin': '037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312',
} as const;
const KNOWN_STORY_START =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.';
const LOGITS_TOLERANCE = 1e-4;
const CACHE_TOLERANCE = 5e-5;
const BOS = 1;
const N_LAYERS = 5;
const DIM = 64;
const N_KV_HEADS = 4;
const HEAD_DIM = 8;
const VOCAB = 512;

interface Reference {
  prompt: { text: string; ids: number[] };
  greedy_from_bos: { max_new_tokens: number; ids: number[]; text: string };
  tokenizer_cases: { text: string; ids: number[] }[];
  inputs_sha256: Record<keyof typeof EXPECTED_SHA256, string>;
}

interface ReferenceTensor {
  dtype: string;
  shape: number[];
  data: Float32Array | BigInt64Array;
}

/**
 * The few tensors of reference.safetensors: u64 header length, JSON header, little-endian data.
 * (Kept inline so this test depends only on the format, not on LinScope's own reader.)
 */
function readReferenceTensors(bytes: Uint8Array): Map<string, ReferenceTensor> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> =
    JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const tensors = new Map<string, ReferenceTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = info.data_offsets;
    const raw = bytes.slice(8 + headerLength + begin, 8 + headerLength + end);
    const data = info.dtype === 'I64' ? new BigInt64Array(raw.buffer) : new Float32Array(raw.buffer);
    tensors.set(name, { dtype: info.dtype, shape: info.shape, data });
  }
  return tensors;
}

function floatTensor(tensors: Map<string, ReferenceTensor>, name: string): Float32Array {
  const t = tensors.get(name);
  if (!(t?.data instanceof Float32Array)) throw new Error(`reference tensor ${name} missing or not F32`);
  return t.data;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const idsTensor = (ids: readonly number[]): Tensor =>
  new Tensor(
    'int64',
    BigInt64Array.from(ids, (v) => BigInt(v)),
    [1, ids.length],
  );
const toNumbers = (t: Tensor): number[] => Array.from(t.data as BigInt64Array, Number);

describe('stories260K converted from llama2.c', () => {
  if (!existsSync(CHECKPOINT) || !existsSync(TOKENIZER)) {
    throw new Error(
      `stories260K not found at ${MODEL_DIR}: the tests expect ../shared next to the repository`,
    );
  }
  const reference: Reference = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8'));
  // A plain Uint8Array copy: a Node Buffer's slice() would share the file's whole buffer.
  const tensors = readReferenceTensors(new Uint8Array(readFileSync(join(FIXTURES, 'reference.safetensors'))));
  let outDir: string;
  let tokenizer: PreTrainedTokenizer;
  let model: PreTrainedModel;
  let runner: LlamaSessionRunner;

  beforeAll(async () => {
    // A fresh folder per run: concurrent runs never read each other's half-written files.
    outDir = await mkdtemp(join(tmpdir(), 'linscope-stories260k-'));
    await convertLlama2cFolder(CHECKPOINT, TOKENIZER, join(outDir, MODEL_ID));
    env.localModelPath = outDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    tokenizer = await AutoTokenizer.from_pretrained(MODEL_ID);
    model = await AutoModelForCausalLM.from_pretrained(MODEL_ID, { dtype: 'fp32' });
    // A test-only build that also declares the residual stream as graph outputs.
    const checkpoint = parseLlama2cCheckpoint(new Uint8Array(readFileSync(CHECKPOINT)));
    runner = await LlamaSessionRunner.create(
      llamaOnnxModel(checkpoint, { exposeHiddenStates: true }),
      N_LAYERS,
      N_KV_HEADS,
      HEAD_DIM,
    );
  });

  afterAll(async () => {
    await model?.dispose();
    await runner?.release();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('reads the input files published in the README (sha256), the ones the reference was made from', () => {
    const readme = readFileSync(join(MODEL_DIR, 'README.md'), 'utf8');
    for (const [file, hash] of Object.entries(EXPECTED_SHA256)) {
      expect(readme).toContain(hash);
      expect(sha256(join(MODEL_DIR, file))).toBe(hash);
    }
    expect(reference.inputs_sha256).toEqual(EXPECTED_SHA256);
  });

  it('tokenizes like llama2.c (transformers.js AutoTokenizer) and decodes back', () => {
    expect(reference.tokenizer_cases.length).toBeGreaterThan(3);
    for (const { text, ids } of reference.tokenizer_cases) {
      const encoded = tokenizer.encode(text);
      expect(encoded, text).toEqual(ids);
      expect(tokenizer.decode(encoded, { skip_special_tokens: true })).toBe(text);
    }
  });

  it('generates the known story from BOS (transformers.js, greedy, with its KV cache)', async () => {
    const { max_new_tokens, ids } = reference.greedy_from_bos;
    const output = await model.generate({ inputs: idsTensor([BOS]), max_new_tokens, do_sample: false });
    if (!(output instanceof Tensor)) throw new Error('generate() returned no tensor');
    const generated = toNumbers(output);
    const text = tokenizer.decode(generated, { skip_special_tokens: true });
    expect(text.startsWith(KNOWN_STORY_START), text).toBe(true);
    expect(generated).toEqual(ids);
  });

  it('generates the same without a cache (full recompute every step, onnxruntime)', async () => {
    const { max_new_tokens, ids } = reference.greedy_from_bos;
    expect(await runner.greedyWithoutCache([BOS], max_new_tokens)).toEqual(ids);
  });

  it('matches the PyTorch logits on the reference prompt (transformers.js forward)', async () => {
    const expected = floatTensor(tensors, 'logits');
    const ids = reference.prompt.ids;
    expect(Array.from(tensors.get('input_ids')?.data ?? [], Number)).toEqual(ids);
    const output = await model.forward({
      input_ids: idsTensor(ids),
      attention_mask: idsTensor(ids.map(() => 1)),
    });
    const logits: Tensor = output.logits;
    expect(logits.dims).toEqual([1, ids.length, VOCAB]);
    const diff = maxAbsDiff(logits.data as Float32Array, expected);
    console.info(`stories260K: max |logits - PyTorch| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(LOGITS_TOLERANCE);
  });

  it('matches PyTorch hidden states at the named tensors of the residual stream', async () => {
    const ids = reference.prompt.ids;
    const T = ids.length;
    const hidden = floatTensor(tensors, 'hidden_states'); // [L+1, T, dim], last one final-normed
    const layerSlice = (l: number) => hidden.subarray(l * T * DIM, (l + 1) * T * DIM);
    const { outputs } = await runner.step({ ids: [ids] });
    const names = hiddenStateTensorNames(N_LAYERS);
    // HF hidden_states: [embeddings, block 0..L-2 outputs, final-normed]; the last block's raw
    // output is the separate last_block_output tensor.
    const pairs: [string, Float32Array][] = [
      [names.embeddings, layerSlice(0)],
      ...names.blockOutputs.slice(0, -1).map((name, l): [string, Float32Array] => [name, layerSlice(l + 1)]),
      [names.blockOutputs[N_LAYERS - 1], floatTensor(tensors, 'last_block_output')],
      [names.finalNorm, layerSlice(N_LAYERS)],
    ];
    const diffs = pairs.map(([name, expected]) => [
      name,
      maxAbsDiff(outputs[name].data as Float32Array, expected),
    ]);
    console.info(`stories260K hidden-state max diffs: ${JSON.stringify(Object.fromEntries(diffs))}`);
    for (const [name, diff] of diffs) expect(diff, String(name)).toBeLessThan(LOGITS_TOLERANCE);
  });

  it('keeps present.* consistent: token-by-token with the cache equals the full forward', async () => {
    const ids = reference.prompt.ids;
    const full = await runner.step({ ids: [ids] });
    let past = runner.emptyCache(1);
    let worst = 0;
    for (let t = 0; t < ids.length; t++) {
      const step = await runner.step({ ids: [[ids[t]]], past });
      worst = Math.max(worst, maxAbsDiff(step.logits[0][0], full.logits[0][t]));
      past = step.present;
    }
    expect(past['past_key_values.4.key'].dims).toEqual([1, N_KV_HEADS, ids.length, HEAD_DIM]);
    console.info(`stories260K: max |cached step logits - full forward logits| = ${worst.toExponential(2)}`);
    // Not bit-identical: the matrix products see different shapes, so float32 sums differ.
    expect(worst).toBeLessThan(CACHE_TOLERANCE);
  });
});
