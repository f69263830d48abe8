import { describe, expect, it } from 'vitest';
import {
  Llama2cTokenizerFormatError,
  parseLlama2cTokenizer,
  sentencepieceMerges,
  tokenizerConfigJson,
  tokenizerJson,
  WORD_START,
} from './tokenizer';

/** A tokenizer.bin as llama2.c's tokenizer.py exports it: spaces for U+2581, "\n<s>\n" for BOS. */
function tokenizerFile(entries: readonly [string, number][]): Uint8Array {
  const encoded = entries.map(([piece, score]) => [new TextEncoder().encode(piece), score] as const);
  const maxLength = Math.max(...encoded.map(([b]) => b.length));
  const bytes = new Uint8Array(4 + encoded.reduce((n, [b]) => n + 8 + b.length, 0));
  const view = new DataView(bytes.buffer);
  view.setInt32(0, maxLength, true);
  let offset = 4;
  for (const [b, score] of encoded) {
    view.setFloat32(offset, score, true);
    view.setInt32(offset + 4, b.length, true);
    bytes.set(b, offset + 8);
    offset += 8 + b.length;
  }
  return bytes;
}

const SPECIALS: [string, number][] = [
  ['<unk>', 0],
  ['\n<s>\n', 0],
  ['\n</s>\n', 0],
];

describe('parseLlama2cTokenizer()', () => {
  it('restores the sentencepiece spelling of pieces and the special tokens', () => {
    const file = tokenizerFile([...SPECIALS, ['<0x00>', 0], [' the', -1], ['é', -2], [' ', -3]]);
    const { entries, maxTokenLength } = parseLlama2cTokenizer(file, 7);
    expect(maxTokenLength).toBe(6);
    expect(entries.map((e) => e.piece)).toEqual([
      '<unk>',
      '<s>',
      '</s>',
      '<0x00>',
      `${WORD_START}the`,
      'é',
      WORD_START,
    ]);
    expect(entries[4].score).toBe(-1);
  });

  it('rejects truncated files, trailing bytes and duplicate pieces', () => {
    const file = tokenizerFile([...SPECIALS, ['a', -1]]);
    expect(() => parseLlama2cTokenizer(file, 5)).toThrow(Llama2cTokenizerFormatError);
    expect(() => parseLlama2cTokenizer(file, 3)).toThrow(/after 3 tokens/);
    expect(() => parseLlama2cTokenizer(tokenizerFile([...SPECIALS, ['a', -1], ['a', -2]]), 5)).toThrow(
      /duplicate/,
    );
  });
});

describe('sentencepieceMerges()', () => {
  it('ranks merges as transformers generate_merges: by merged score, then longer left part', () => {
    const entries = [
      ['a', -10],
      ['b', -11],
      ['c', -12],
      ['ab', -1],
      ['bc', -2],
      ['abc', -0.5],
      ['x', -13],
    ].map(([piece, score]) => ({ piece: String(piece), score: Number(score) }));
    expect(sentencepieceMerges(entries)).toEqual([
      ['ab', 'c'],
      ['a', 'bc'],
      ['a', 'b'],
      ['b', 'c'],
    ]);
  });

  it('splits by code point, not by UTF-16 unit', () => {
    const entries = ['🐶', 'a', '🐶a'].map((piece, i) => ({ piece, score: -i }));
    expect(sentencepieceMerges(entries)).toEqual([['🐶', 'a']]);
  });
});

describe('tokenizerJson()', () => {
  const vocabulary = parseLlama2cTokenizer(
    tokenizerFile([...SPECIALS, ['<0x41>', 0], [' ', -3], ['h', -4], ['i', -5], [' h', -1], [' hi', -2]]),
    9,
  );
  const json = tokenizerJson(vocabulary);

  it('is a byte-fallback BPE with the Llama normalizer, post-processor and decoder', () => {
    expect(json.model).toMatchObject({
      type: 'BPE',
      byte_fallback: true,
      fuse_unk: true,
      unk_token: '<unk>',
      vocab: { '<unk>': 0, '<s>': 1, '</s>': 2, '<0x41>': 3, [WORD_START]: 4, [`${WORD_START}hi`]: 8 },
      merges: [
        [WORD_START, 'h'],
        [`${WORD_START}h`, 'i'],
      ],
    });
    expect(json.normalizer).toMatchObject({ type: 'Sequence' });
    expect(JSON.stringify(json.decoder)).toContain('ByteFallback');
    expect(json.added_tokens).toHaveLength(3);
  });

  it('has a config that adds BOS and names the Llama tokenizer class', () => {
    expect(tokenizerConfigJson(vocabulary, 512)).toMatchObject({
      tokenizer_class: 'LlamaTokenizer',
      add_bos_token: true,
      add_eos_token: false,
      bos_token: '<s>',
      eos_token: '</s>',
      model_max_length: 512,
    });
  });
});
