/**
 * A model folder read as the CLI reads it (`readModelsFromFolder`, src/model/weightFilesByPath.ts):
 * transformers.js gets the weight files (`.onnx`, `.onnx_data`) by path and never opens them itself,
 * and the model computes exactly what it computes when transformers.js finds the files its own way.
 */
import fs, { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { HiddenStateModel } from '../../src/model/hiddenStateModel';
import { nodeRuntime, readModelsFromFolder } from '../../src/model/nodeRuntime';
import {
  forgetWeightFilesByPath,
  localPathsOfAddress,
  type TransformersFileEnv,
  weightFilePath,
} from '../../src/model/weightFilesByPath';
import { getTensor, readSafetensors, toFloat32 } from '../../src/share/safetensors';
import { PUBLIC_MODELS } from '../support/models';

describe('weightFilePath: which look-ups are answered with a path', () => {
  const root = mkdtempSync(join(tmpdir(), 'linscope-weights-'));
  const folder = join(root, 'models');
  mkdirSync(join(folder, 'org', 'name', 'onnx'), { recursive: true });
  for (const file of ['model.onnx', 'model.onnx_data', 'model.onnx_data_1', 'model.onnx.txt'])
    writeFileSync(join(folder, 'org', 'name', 'onnx', file), 'x');
  writeFileSync(join(folder, 'org', 'name', 'tokenizer.json'), '{}');
  writeFileSync(join(root, 'outside.onnx'), 'x');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const env = (over: Partial<TransformersFileEnv> = {}): TransformersFileEnv => ({
    localModelPath: `${folder}/`,
    remoteHost: 'https://huggingface.co/',
    remotePathTemplate: '{model}/resolve/{revision}/',
    useCustomCache: false,
    customCache: null,
    ...over,
  });
  const weights = join(folder, 'org', 'name', 'onnx', 'model.onnx');

  const address = (model: string, file: string, revision = 'main') =>
    `https://huggingface.co/${model}/resolve/${revision}/${file}`;

  it('answers a weight file under the local folder by the address transformers.js would download it from', () => {
    expect(weightFilePath(address('org/name', 'onnx/model.onnx'), env())).toBe(weights);
    expect(weightFilePath(address('org/name', 'onnx/model.onnx_data', 'v1.0%2Fx'), env())).toBe(
      `${weights}_data`,
    );
    expect(weightFilePath(address('org/name', 'onnx/model.onnx_data_1'), env())).toBe(`${weights}_data_1`);
    const mirror = env({
      remoteHost: 'http://mirror.local/hub',
      remotePathTemplate: 'files/{revision}/{model}/',
    });
    expect(weightFilePath('http://mirror.local/hub/files/main/org/name/onnx/model.onnx', mirror)).toBe(
      weights,
    );
  });

  it('answers a model given by its absolute path (the address drops its leading slash)', () => {
    const model = join(folder, 'org', 'name').replace(/^\//, '');
    expect(weightFilePath(address(model, 'onnx/model.onnx'), env())).toBe(weights);
  });

  it('answers no local path: transformers.js asks by address next, and again at the end under the key that answered', () => {
    expect(weightFilePath(weights, env())).toBeUndefined();
    expect(weightFilePath(`${weights}_data`, env())).toBeUndefined();
  });

  it('leaves everything else to transformers.js: other files, missing files, files outside the folder, other hosts', () => {
    expect(weightFilePath(address('org/name', 'tokenizer.json'), env())).toBeUndefined();
    expect(weightFilePath(address('org/name', 'onnx/model.onnx.txt'), env())).toBeUndefined();
    expect(weightFilePath(address('org/name', 'onnx/model_q4.onnx'), env())).toBeUndefined();
    expect(weightFilePath(address('..', 'outside.onnx'), env())).toBeUndefined();
    expect(weightFilePath(address(root.replace(/^\//, ''), 'outside.onnx'), env())).toBeUndefined();
    expect(weightFilePath('http://other.host/org/name/resolve/main/onnx/model.onnx', env())).toBeUndefined();
    expect(localPathsOfAddress('http://other.host/org/name/resolve/main/onnx/model.onnx', env())).toBeNull();
  });
});

describe.each([
  ['fixtures/tiny-random-gpt2', 'one .onnx file'],
  ['fixtures/formats-llama', 'graph and .onnx_data'],
])('%s (%s), read from its folder', (id, _layout) => {
  const ref = readSafetensors(
    new Uint8Array(fs.readFileSync(join(PUBLIC_MODELS, id, 'reference.safetensors'))),
  );
  const ids = Array.from(toFloat32(getTensor(ref, 'input_ids')));

  afterEach(() => vi.restoreAllMocks());

  /** Loads `id` (after `prepare`), runs the reference's ids, and lists every file transformers.js opened. */
  async function loadAndRun(prepare: (rt: Awaited<ReturnType<typeof nodeRuntime>>) => void) {
    const rt = await nodeRuntime();
    prepare(rt);
    const opened: string[] = [];
    const open = fs.createReadStream;
    vi.spyOn(fs, 'createReadStream').mockImplementation(((path: fs.PathLike, options?: unknown) => {
      opened.push(String(path));
      return open(path, options as Parameters<typeof open>[1]);
    }) as typeof fs.createReadStream);
    const model = await HiddenStateModel.load(rt, { id, dtype: 'fp32', device: 'cpu' });
    try {
      return { opened, result: await model.forward(ids, { logits: true }) };
    } finally {
      vi.restoreAllMocks();
      await model.dispose();
      forgetWeightFilesByPath(rt.transformers.env);
    }
  }

  it('opens no weight file in transformers.js, and computes every state and logit bit for bit as before', async () => {
    const byPath = await loadAndRun((rt) => readModelsFromFolder(rt, PUBLIC_MODELS));
    const asBefore = await loadAndRun((rt) => {
      rt.transformers.env.localModelPath = `${PUBLIC_MODELS}/`;
      rt.transformers.env.allowLocalModels = true;
      rt.transformers.env.allowRemoteModels = false;
    });
    const weightFile = (path: string) => /\.onnx(_data)?$/.test(path);
    // The spy sees what transformers.js opens: its own way, the weights among them.
    expect(asBefore.opened.some(weightFile)).toBe(true);
    expect(byPath.opened.some((p) => p.endsWith('config.json'))).toBe(true);
    expect(byPath.opened.filter(weightFile)).toEqual([]);
    expect(byPath.result.hiddenStates).toEqual(asBefore.result.hiddenStates);
    expect(byPath.result.hiddenStates.length).toBe(toFloat32(getTensor(ref, 'hidden_states')).length);
    expect(byPath.result.logits).toEqual(asBefore.result.logits);
  });
});
