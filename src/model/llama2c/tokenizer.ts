/**
 * llama2.c's `tokenizer.bin` (for example `tok512.bin`) turned into a Hugging Face
 * `tokenizer.json` in the form Hugging Face's `LlamaConverter` writes for a sentencepiece BPE
 * model with byte fallback: vocabulary and scores become a BPE model whose merges are ranked by
 * the score of the merged piece, so BPE reproduces sentencepiece's "merge the best-scoring
 * adjacent pair" rule.
 *
 * File layout: int32 max_token_length, then per token a float32 score, an int32 byte length and
 * the UTF-8 bytes. llama2.c's exporter wrote the word-start marker U+2581 as a plain space and
 * BOS/EOS as "\n<s>\n" / "\n</s>\n"; both are undone here.
 */

export interface Llama2cVocabEntry {
  /** The piece as Hugging Face spells it (word start as U+2581, specials as `<s>` etc.). */
  piece: string;
  score: number;
}

export interface Llama2cVocabulary {
  maxTokenLength: number;
  entries: Llama2cVocabEntry[];
}

/** The word-start marker of sentencepiece. */
export const WORD_START = '\u2581';
/** Fixed ids in every llama2.c tokenizer (run.c hard-codes BOS = 1, EOS = 2). */
export const UNK_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
const SPECIAL_PIECES: Readonly<Record<number, string>> = {
  [UNK_ID]: '<unk>',
  [BOS_ID]: '<s>',
  [EOS_ID]: '</s>',
};

export class Llama2cTokenizerFormatError extends Error {
  override readonly name = 'Llama2cTokenizerFormatError';
}

export function parseLlama2cTokenizer(bytes: Uint8Array, vocabSize: number): Llama2cVocabulary {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const need = (offset: number, count: number): void => {
    if (offset + count > bytes.byteLength) {
      throw new Llama2cTokenizerFormatError(`tokenizer file ends early (need ${vocabSize} tokens)`);
    }
  };
  need(0, 4);
  const maxTokenLength = view.getInt32(0, true);
  let offset = 4;
  const entries: Llama2cVocabEntry[] = [];
  for (let id = 0; id < vocabSize; id++) {
    need(offset, 8);
    const score = view.getFloat32(offset, true);
    const length = view.getInt32(offset + 4, true);
    offset += 8;
    need(offset, length);
    if (length < 0 || length > maxTokenLength) {
      throw new Llama2cTokenizerFormatError(`token ${id} has length ${length} (max ${maxTokenLength})`);
    }
    const raw = decoder.decode(bytes.subarray(offset, offset + length));
    offset += length;
    entries.push({ piece: SPECIAL_PIECES[id] ?? raw.replaceAll(' ', WORD_START), score });
  }
  if (offset !== bytes.byteLength) {
    throw new Llama2cTokenizerFormatError(
      `tokenizer file has ${bytes.byteLength - offset} bytes after ${vocabSize} tokens`,
    );
  }
  const seen = new Set<string>();
  for (const { piece } of entries) {
    if (seen.has(piece)) throw new Llama2cTokenizerFormatError(`duplicate piece ${JSON.stringify(piece)}`);
    seen.add(piece);
  }
  return { maxTokenLength, entries };
}

/**
 * BPE merges from a sentencepiece vocabulary, as Hugging Face's `generate_merges`
 * (transformers `convert_slow_tokenizer.py`, used by `LlamaConverter`) derives them: every
 * split of a piece into two pieces of the vocabulary is a merge; splits of one piece are ordered
 * by their ids; then all merges are sorted, stably, by descending (score of the merged piece,
 * length of the left part, length of the right part).
 */
export function sentencepieceMerges(entries: readonly Llama2cVocabEntry[]): [string, string][] {
  const idOf = new Map(entries.map((e, id) => [e.piece, id]));
  interface Merge {
    left: string;
    right: string;
    score: number;
    leftLength: number;
    rightLength: number;
  }
  const merges: Merge[] = [];
  for (const { piece, score } of entries) {
    // Split by code point, as Python slices a str.
    const chars = Array.from(piece);
    const local: Merge[] = [];
    for (let i = 1; i < chars.length; i++) {
      const left = chars.slice(0, i).join('');
      const right = chars.slice(i).join('');
      if (idOf.has(left) && idOf.has(right)) {
        local.push({ left, right, score, leftLength: i, rightLength: chars.length - i });
      }
    }
    local.sort((a, b) => idOf.get(a.left)! - idOf.get(b.left)! || idOf.get(a.right)! - idOf.get(b.right)!);
    merges.push(...local);
  }
  merges.sort((a, b) => b.score - a.score || b.leftLength - a.leftLength || b.rightLength - a.rightLength);
  return merges.map((m) => [m.left, m.right]);
}

interface AddedToken {
  id: number;
  content: string;
  single_word: false;
  lstrip: false;
  rstrip: false;
  normalized: false;
  special: true;
}

function addedToken(id: number, content: string): AddedToken {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** A `tokenizer.json` object (Hugging Face tokenizers format, as `LlamaConverter` writes it). */
export function tokenizerJson(vocabulary: Llama2cVocabulary): Record<string, unknown> {
  const { entries } = vocabulary;
  const vocab = Object.fromEntries(entries.map((e, id) => [e.piece, id]));
  const bos = entries[BOS_ID].piece;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [UNK_ID, BOS_ID, EOS_ID].map((id) => addedToken(id, entries[id].piece)),
    // sentencepiece's add_dummy_prefix and whitespace escaping (llama2.c's encode() does the same).
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: WORD_START },
        { type: 'Replace', pattern: { String: ' ' }, content: WORD_START },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: bos, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: bos, type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { [bos]: { id: bos, ids: [BOS_ID], tokens: [bos] } },
    },
    // Undo the escaping, turn <0xNN> pieces back into bytes, drop the dummy-prefix space.
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: WORD_START }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: entries[UNK_ID].piece,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges: sentencepieceMerges(entries),
    },
  };
}

/** `tokenizer_config.json`, so transformers.js picks its Llama tokenizer class and adds BOS. */
export function tokenizerConfigJson(
  vocabulary: Llama2cVocabulary,
  maxLength: number,
): Record<string, unknown> {
  const { entries } = vocabulary;
  return {
    tokenizer_class: 'LlamaTokenizer',
    add_bos_token: true,
    add_eos_token: false,
    bos_token: entries[BOS_ID].piece,
    eos_token: entries[EOS_ID].piece,
    unk_token: entries[UNK_ID].piece,
    pad_token: null,
    legacy: true,
    clean_up_tokenization_spaces: false,
    model_max_length: maxLength,
    added_tokens_decoder: Object.fromEntries(
      [UNK_ID, BOS_ID, EOS_ID].map((id) => {
        const { id: _id, ...rest } = addedToken(id, entries[id].piece);
        return [String(id), rest];
      }),
    ),
  };
}
