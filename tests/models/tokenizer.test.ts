/**
 * The GPT-2 tokenizer.json built by tools/make-gpt2-tokenizer.mjs from gpt-3-encoder's files
 * (encoder.json, vocab.bpe) gives GPT-2's ids in transformers.js, and the truncated vocabularies
 * (first N entries: what the default model and the fixtures use) give exactly the byte-level BPE
 * with only the first N - 257 merges.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { decode as gpt3Decode, encode as gpt3Encode } from 'gpt-3-encoder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGpt2Tokenizer, readGpt2Files, writeGpt2Tokenizer } from '../../tools/make-gpt2-tokenizer.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = join(ROOT, 'public/models');

const TEXTS = [
  'Hello world',
  'Hello, world! How are you?',
  'In the beginning God created the heaven and the earth.\n\nAnd the earth was without form, and void;',
  'multiple   spaces,\ttabs\t\tand\n\n\nnewlines  \n  end ',
  '   leading and trailing spaces   ',
  "it's we're they've I'm you'll he'd don't CAN'T",
  'numbers 1234567890 3.14159 1,000,000 and 2nd 42nd',
  'héllo wörld café naïve façade Ærøskøbing',
  '日本語のテキスト、中文文本，한국어 텍스트',
  'emoji 😀🚀👍🏽 and combined 👨‍👩‍👧‍👦 family',
  'Ελληνικά, русский текст, עברית, العربية',
  'code: function f(x) { return x * 2; } // comment\n\tif (a != b) {}',
  'symbols !@#$%^&*()_+-=[]{}|;:",./<>?`~ and ’curly’ “quotes” — dashes…',
  'A hacker is a person who enjoys exploring the details of programmable systems.',
  '\n',
  ' ',
  'x',
  'zero\u200bwidth and\u00a0nbsp',
];

/** GPT-2's bytes_to_unicode(). */
function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const table: string[] = new Array(256);
  bs.forEach((b, i) => {
    table[b] = String.fromCharCode(cs[i]);
  });
  return table;
}

const PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** A plain reference byte-level BPE that uses only the first `numMerges` of GPT-2's merges. */
function makeReferenceBpe(numMerges: number): (text: string) => number[] {
  const { encoder, merges } = readGpt2Files();
  const ranks = new Map<string, number>();
  merges.slice(0, numMerges).forEach((m, i) => {
    ranks.set(m, i);
  });
  const byteChars = bytesToUnicode();
  const utf8 = new TextEncoder();
  const bpe = (word: string[]): string[] => {
    let parts = word;
    while (parts.length > 1) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < parts.length - 1; i++) {
        const r = ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const [a, b] = [parts[best], parts[best + 1]];
      const next: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (i < parts.length - 1 && parts[i] === a && parts[i + 1] === b) {
          next.push(a + b);
          i++;
        } else {
          next.push(parts[i]);
        }
      }
      parts = next;
    }
    return parts;
  };
  return (text: string) => {
    const ids: number[] = [];
    for (const match of text.matchAll(PATTERN)) {
      const chars = Array.from(utf8.encode(match[0]), (b) => byteChars[b]);
      for (const piece of bpe(chars)) {
        const id = encoder[piece];
        if (id === undefined) throw new Error(`no id for ${piece}`);
        ids.push(id);
      }
    }
    return ids;
  };
}

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'linscope-tok-'));
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useBrowserCache = false;
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function loadBuilt(vocabSize: number) {
  env.localModelPath = `${tmp}/`;
  writeGpt2Tokenizer(join(tmp, `gpt2-${vocabSize}`), { vocabSize });
  return AutoTokenizer.from_pretrained(`gpt2-${vocabSize}`, { local_files_only: true });
}

describe('GPT-2 tokenizer.json built from gpt-3-encoder', () => {
  it('has 50257 entries, 50000 merges and <|endoftext|> = 50256, and merge i creates id 256 + i', () => {
    const built = buildGpt2Tokenizer();
    expect(built.vocabSize).toBe(50257);
    expect(built.eosId).toBe(50256);
    const { vocab, merges } = built.tokenizer.model;
    expect(Object.keys(vocab).length).toBe(50257);
    expect(merges.length).toBe(50000);
    expect(vocab['<|endoftext|>']).toBe(50256);
    merges.forEach((m, i) => {
      const [a, b] = m.split(' ');
      if (vocab[a + b] !== 256 + i) throw new Error(`merge ${i} ${m} -> ${vocab[a + b]}`);
    });
  });

  it("gives gpt-3-encoder's ids in transformers.js (unicode, newlines, multiple spaces)", async () => {
    const tokenizer = await loadBuilt(50257);
    for (const text of TEXTS) {
      const ids = tokenizer.encode(text);
      expect(ids, JSON.stringify(text)).toEqual(gpt3Encode(text));
      expect(tokenizer.decode(ids), JSON.stringify(text)).toBe(text);
      expect(gpt3Decode(ids)).toBe(text);
    }
    // Known GPT-2 ids, independent of both implementations.
    expect(tokenizer.encode('Hello world')).toEqual([15496, 995]);
    expect(tokenizer.encode(' the')).toEqual([262]);
  });

  it('the reference BPE with all merges equals gpt-3-encoder (validates the reference)', () => {
    const full = makeReferenceBpe(50000);
    for (const text of TEXTS) expect(full(text), JSON.stringify(text)).toEqual(gpt3Encode(text));
  });
});

describe.each([512, 2048, 4096])('truncated GPT-2 vocabulary of %i entries', (vocabSize) => {
  const reference = makeReferenceBpe(vocabSize - 257);

  it('matches the byte-level BPE restricted to the first merges, and round-trips', async () => {
    const tokenizer = await loadBuilt(vocabSize);
    for (const text of TEXTS) {
      const ids = tokenizer.encode(text);
      expect(ids, JSON.stringify(text)).toEqual(reference(text));
      expect(Math.max(...ids)).toBeLessThan(vocabSize - 1);
      expect(tokenizer.decode(ids), JSON.stringify(text)).toBe(text);
    }
  });

  it("equals gpt-3-encoder's ids whenever GPT-2 itself only uses ids below the cut", async () => {
    const tokenizer = await loadBuilt(vocabSize);
    let compared = 0;
    for (const text of TEXTS.flatMap((t) => t.split(/(?<=\s)/))) {
      const full = gpt3Encode(text);
      if (full.every((id) => id < vocabSize - 1)) {
        expect(tokenizer.encode(text), JSON.stringify(text)).toEqual(full);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });
});

describe('committed tokenizers', () => {
  const folders = [
    { id: 'linscope/tiny-gpt2', vocabSize: 4096 },
    { id: 'fixtures/tiny-random-gpt2', vocabSize: 512 },
  ];
  for (const { id, vocabSize } of folders) {
    it(`${id}: tokenizer.json is the GPT-2 BPE cut to ${vocabSize} entries and encodes like it`, async () => {
      const path = join(MODELS, id, 'tokenizer.json');
      if (!existsSync(path)) throw new Error(`missing ${path}`);
      const committed = JSON.parse(readFileSync(path, 'utf8')) as {
        model: { vocab: Record<string, number>; merges: string[] };
      };
      const built = buildGpt2Tokenizer({ vocabSize });
      expect(committed.model.vocab).toEqual(built.tokenizer.model.vocab);
      expect(committed.model.merges).toEqual(built.tokenizer.model.merges);
      env.localModelPath = `${MODELS}/`;
      const tokenizer = await AutoTokenizer.from_pretrained(id, { local_files_only: true });
      const reference = makeReferenceBpe(vocabSize - 257);
      for (const text of TEXTS) expect(tokenizer.encode(text), JSON.stringify(text)).toEqual(reference(text));
    });
  }
});
