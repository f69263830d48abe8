/**
 * Graph augmentation must not change: the bytes appended to every committed model (the extra
 * outputs, the fused style's extra Add, the logit lens nodes) are pinned by hash. The hashes were
 * computed with the augmentation code as it stood before the ONNX module was merged into one
 * writer (commit 1aa5ae3), so a refactor that changes what a session is built from shows up here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findHiddenStates } from '../../src/model/hiddenStateFinder';
import { readOnnxGraph } from '../../src/model/onnx/reader';
import { augmentGraph } from '../../src/model/onnx/surgery/augmentGraph';
import { buildLogitLens } from '../../src/model/onnx/surgery/logitLensGraph';
import { PUBLIC_MODELS } from '../support/models';

/** Model file, then the first 16 hex digits of the SHA-256 of the suffix without and with the lens. */
const EXPECTED: readonly (readonly [string, string, string | null])[] = [
  ['fixtures/formats-llama/onnx/model.onnx', '75e24833d74a5833', '8ca50bce7480fc80'],
  ['fixtures/formats-llama/onnx/model_fp16.onnx', '75e24833d74a5833', '8f3704c35ad1a204'],
  ['fixtures/formats-llama/onnx/model_q4.onnx', '75e24833d74a5833', 'f98730f2a796d355'],
  ['fixtures/genai-fused-llama/onnx/model.onnx', '624923894ab0fad6', null],
  ['fixtures/genai-fused-llama/onnx/model_quantized.onnx', '624923894ab0fad6', null],
  ['fixtures/tiny-random-gpt-neox/onnx/model.onnx', '07f2e514d0afe2bb', '5d42c8b6b198c994'],
  ['fixtures/tiny-random-gpt-neox/onnx/model_quantized.onnx', '07f2e514d0afe2bb', '1880ca06fd0b6132'],
  ['fixtures/tiny-random-gpt2/onnx/model.onnx', 'b1ee713f917a90b2', '138d9ad3938c8cac'],
  ['fixtures/tiny-random-gpt2/onnx/model_quantized.onnx', 'b1ee713f917a90b2', '79733d6f5bd2e811'],
  ['fixtures/tiny-random-llama/onnx/model.onnx', '75e24833d74a5833', '8ca50bce7480fc80'],
  ['fixtures/tiny-random-llama/onnx/model_quantized.onnx', '75e24833d74a5833', '7afad7bf5064b199'],
  ['fixtures/tiny-random-opt/onnx/model.onnx', 'ccd098df2131c3ef', '85c43a6ef841b921'],
  ['fixtures/tiny-random-opt/onnx/model_quantized.onnx', 'ccd098df2131c3ef', '1e6f2c85a1317da5'],
  ['fixtures/tiny-random-phi/onnx/model.onnx', 'beee3828ce4f871e', '04fa1f54c0eb47a7'],
  ['fixtures/tiny-random-phi/onnx/model_quantized.onnx', 'beee3828ce4f871e', 'ad46adf85b10039d'],
  ['fixtures/tiny-random-phi3/onnx/model.onnx', '75e24833d74a5833', 'a2ca653d02567cc7'],
  ['fixtures/tiny-random-phi3/onnx/model_quantized.onnx', '75e24833d74a5833', '53a9295ad16a9d04'],
  ['fixtures/tiny-random-qwen2/onnx/model.onnx', '75e24833d74a5833', '0cc5ed1681837440'],
  ['fixtures/tiny-random-qwen2/onnx/model_quantized.onnx', '75e24833d74a5833', 'a2e14a1d068e4b9c'],
  ['linscope/tiny-gpt2/onnx/model.onnx', '168d313f96ab6ee4', 'b11abfc0b1163db5'],
  ['linscope/tiny-gpt2/onnx/model_quantized.onnx', '168d313f96ab6ee4', '7be99769aa842874'],
];

const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

describe('augmentGraph()', () => {
  it.each(EXPECTED)('appends the same bytes as before to %s', (file, plainHash, lensHash) => {
    const bytes = new Uint8Array(readFileSync(join(PUBLIC_MODELS, file)));
    const config = JSON.parse(
      readFileSync(join(PUBLIC_MODELS, dirname(dirname(file)), 'config.json'), 'utf8'),
    );
    const graph = readOnnxGraph(bytes);
    const plan = findHiddenStates(graph, { layers: config.num_hidden_layers });
    const lens = buildLogitLens(graph, plan);
    const plain = augmentGraph(bytes, plan, graph);
    // The model's own bytes come first, untouched: the weights are never re-encoded.
    expect(Buffer.compare(plain.subarray(0, bytes.length), bytes)).toBe(0);
    expect(digest(plain.subarray(bytes.length))).toBe(plainHash);
    expect(lens === null ? null : digest(augmentGraph(bytes, plan, graph, lens).subarray(bytes.length))).toBe(
      lensHash,
    );
  });
});
