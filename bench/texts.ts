/**
 * Input texts of an exact token count for a model's own tokenizer (the count the app reports,
 * special tokens included), cut from the end of the bundled corpus: the reference fit reads its
 * start, so the input is not text the maps were fitted on.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ROOT } from './lib';

export async function textOfTokens(modelDir: string, tokens: number): Promise<string> {
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(modelDir)}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(basename(modelDir));
  const corpus = readFileSync(join(ROOT, 'public', 'corpus', 'reference-en.txt'), 'utf8');
  const words = corpus.split(/\s+/).filter(Boolean).reverse();
  const count = (k: number) => tokenizer.encode(words.slice(0, k).reverse().join(' ')).length;
  // Binary search for the most words that fit, then the text is at most `tokens` long.
  let lo = 1;
  let hi = Math.min(words.length, tokens * 2);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (count(mid) <= tokens) lo = mid;
    else hi = mid - 1;
  }
  return words.slice(0, lo).reverse().join(' ');
}

export async function tokenCount(modelDir: string, text: string): Promise<number> {
  const { AutoTokenizer } = await import('@huggingface/transformers');
  const tokenizer = await AutoTokenizer.from_pretrained(basename(modelDir));
  return tokenizer.encode(text).length;
}
