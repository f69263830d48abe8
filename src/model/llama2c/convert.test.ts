import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { convertLlama2c, ONNX_MODEL_PATH } from './convert';
import { type TinyLlamaShape, tinyCheckpointBytes } from './tinyLlama.testing';

const SHAPE: TinyLlamaShape = {
  dim: 8,
  hiddenDim: 12,
  nLayers: 1,
  nHeads: 2,
  nKvHeads: 1,
  vocabSize: 6,
  seqLen: 16,
};

/** A six-token tokenizer.bin: the three specials and three pieces. */
function tinyTokenizerBytes(): Uint8Array {
  const pieces = ['<unk>', '\n<s>\n', '\n</s>\n', ' a', ' ', 'a'];
  const encoded = pieces.map((p) => new TextEncoder().encode(p));
  const bytes = new Uint8Array(4 + encoded.reduce((n, b) => n + 8 + b.length, 0));
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 6, true);
  let offset = 4;
  encoded.forEach((b, i) => {
    view.setFloat32(offset, i < 3 ? 0 : -i, true);
    view.setInt32(offset + 4, b.length, true);
    bytes.set(b, offset + 8);
    offset += 8 + b.length;
  });
  return bytes;
}

describe('convertLlama2c()', () => {
  const checkpoint = tinyCheckpointBytes(SHAPE, 9);
  const converted = convertLlama2c(checkpoint, tinyTokenizerBytes());

  it('returns a transformers.js model folder', () => {
    expect([...converted.files.keys()].sort()).toEqual([
      'config.json',
      'generation_config.json',
      ONNX_MODEL_PATH,
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(converted.files.get(ONNX_MODEL_PATH)).toBeInstanceOf(Uint8Array);
    const config = JSON.parse(String(converted.files.get('config.json')));
    expect(config).toMatchObject({
      model_type: 'llama',
      architectures: ['LlamaForCausalLM'],
      hidden_size: 8,
      intermediate_size: 12,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
      head_dim: 4,
      vocab_size: 6,
      max_position_embeddings: 16,
      tie_word_embeddings: true,
      bos_token_id: 1,
      eos_token_id: 2,
    });
  });

  it('is deterministic', () => {
    const again = convertLlama2c(checkpoint, tinyTokenizerBytes());
    for (const [path, contents] of converted.files) expect(again.files.get(path), path).toEqual(contents);
  });

  it('refuses a tokenizer with fewer tokens than the checkpoint vocabulary', () => {
    const bigger = tinyCheckpointBytes({ ...SHAPE, vocabSize: 7 }, 9);
    expect(() => convertLlama2c(bigger, tinyTokenizerBytes())).toThrow(/ends early/);
  });
});

describe('the converter core', () => {
  it('uses no Node APIs, so the browser can run it ("open a llama2.c checkpoint")', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const productFiles = readdirSync(here).filter(
      (f) => f.endsWith('.ts') && !/\.(test|testing)\.ts$/.test(f),
    );
    expect(productFiles).toContain('convert.ts');
    for (const file of productFiles) {
      const source = readFileSync(join(here, file), 'utf8');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect(
        imports.filter((i) => !i.startsWith('./') && !i.startsWith('../onnx/')),
        file,
      ).toEqual([]);
      expect(source, file).not.toMatch(/\b(process|Buffer|require|__dirname)\b/);
    }
  });
});
