/**
 * A small corpus for stories260K with an independent tokenization: the test strings of
 * tests/fixtures/stories260k/reference.json, whose ids llama2.c's own tokenizer produced
 * (tools/stories260k_reference.py). Only strings without surrounding whitespace are used, so a
 * blank-line separated file gives back exactly these documents.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './models';

export interface TokenizedDocument {
  readonly text: string;
  /** llama2.c's encoding, BOS (1) first. */
  readonly ids: readonly number[];
}

export function storiesCorpus(): TokenizedDocument[] {
  const reference = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/stories260k/reference.json'), 'utf8'));
  return (reference.tokenizer_cases as TokenizedDocument[]).filter((c) => c.text === c.text.trim());
}

/** Writes the documents to `path`, separated by blank lines (the CLI's `--corpus` .txt format). */
export function writeCorpusFile(path: string, documents: readonly TokenizedDocument[]): void {
  writeFileSync(path, documents.map((c) => c.text).join('\n\n'));
}
