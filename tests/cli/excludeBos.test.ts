/**
 * `--exclude-bos` on a corpus leaves out every document's BOS, in every job that excludes BOS:
 * analyze (per-layer scores, `excludedTokens`), the reference fit, linearize's own-text maps and
 * stats. The expected rows come from llama2.c's own tokenizer (tests/fixtures/stories260k/
 * reference.json, written by tools/stories260k_reference.py), not from LinScope's tokenizer: each
 * document's ids start with BOS (1), so the documents' BOS rows are the running sums of their lengths.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hiddenStates, keptTokens, linearityScore, stateMatrix } from '../../src/analysis';
import type { LinScopeResult } from '../../src/job/result';
import { getTensor, readSafetensors, toFloat32 } from '../../src/share/safetensors';
import { linscope } from '../support/cli';
import { convertStories260K, STORIES_ID } from '../support/models';
import { storiesCorpus, type TokenizedDocument, writeCorpusFile } from '../support/storiesCorpus';

const BOS = 1;
/** Shorter than every document but the last: later windows get a BOS of their own (not kept). */
const WINDOW = '8';

describe('--exclude-bos on a corpus (stories260K, llama2.c tokenizer reference)', () => {
  let models: Awaited<ReturnType<typeof convertStories260K>>;
  let modelDir: string;
  let work: string;
  let corpusFile: string;
  let documents: TokenizedDocument[];
  /** Row of each document's BOS in the pooled run. */
  let bosRows: number[];
  let totalTokens: number;

  beforeAll(async () => {
    models = await convertStories260K();
    modelDir = join(models.root, STORIES_ID);
    work = mkdtempSync(join(tmpdir(), 'linscope-exclude-bos-'));
    documents = storiesCorpus();
    corpusFile = join(work, 'corpus.txt');
    writeCorpusFile(corpusFile, documents);
    bosRows = [];
    totalTokens = 0;
    for (const c of documents) {
      expect(c.ids[0]).toBe(BOS);
      bosRows.push(totalTokens);
      totalTokens += c.ids.length;
    }
  });
  afterAll(async () => {
    await models?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('analyze leaves out every document BOS, from the scores too, and the reference fit does', () => {
    expect(documents.length).toBe(6);
    expect(bosRows).toEqual([0, 16, 38, 58, 74, 100]);
    const out = join(work, 'analyze.json');
    const dump = join(work, 'hidden.safetensors');
    const r = linscope(
      'analyze',
      '--model',
      modelDir,
      '--input',
      corpusFile,
      '--corpus',
      '--exclude-bos',
      '--window',
      WINDOW,
      '--reference',
      corpusFile,
      '--out',
      out,
      '--dump-hidden',
      dump,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as LinScopeResult;
    expect(result.tokens.map((t) => t.id)).toEqual(documents.flatMap((c) => c.ids));
    expect(result.windows.length).toBeGreaterThan(documents.length);
    expect(result.excludedTokens).toEqual(bosRows);
    const n = totalTokens - bosRows.length;
    // The reference fit (the same corpus, the same windows) leaves out the same rows.
    expect(result.perToken?.reference.tokens).toBe(n);

    // The per-layer scores are those of the states without the BOS rows.
    const file = readSafetensors(new Uint8Array(readFileSync(dump)));
    const tensor = getTensor(file, 'hidden_states');
    const [S, T, d] = tensor.shape;
    expect(T).toBe(totalTokens);
    const states = hiddenStates(toFloat32(tensor), S, T, d);
    const kept = keptTokens(T, bosRows);
    for (const [l, layer] of result.layers.entries()) {
      expect(layer.n).toBe(n);
      const want = linearityScore(stateMatrix(states, l), stateMatrix(states, l + 1), kept).score;
      expect(want).not.toBeNull();
      expect(layer.linearity).toBeCloseTo(want as number, 10);
    }
  });

  it('linearize --map self fits its maps without any document BOS', () => {
    const out = join(work, 'linearize.json');
    const r = linscope(
      'linearize',
      '--model',
      modelDir,
      '--input',
      corpusFile,
      '--corpus',
      '--exclude-bos',
      '--window',
      WINDOW,
      '--no-reference',
      '--map',
      'self',
      '--layers',
      '2',
      '--out',
      out,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as LinScopeResult;
    expect(result.excludedTokens).toEqual(bosRows);
    expect(result.linearize?.maps.tokens).toBe(totalTokens - bosRows.length);
  });

  it('stats leaves out every document BOS (n after reduce)', () => {
    const part = join(work, 'part.safetensors');
    const stats = linscope(
      'stats',
      '--model',
      modelDir,
      '--input',
      corpusFile,
      '--corpus',
      '--exclude-bos',
      '--window',
      WINDOW,
      '--out',
      part,
    );
    expect(stats.stderr).toBe('');
    expect(stats.status).toBe(0);
    const out = join(work, 'reduced.json');
    const reduced = linscope('reduce', part, '--out', out);
    expect(reduced.status).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as LinScopeResult;
    for (const layer of result.layers) expect(layer.n).toBe(totalTokens - bosRows.length);
  });
});
