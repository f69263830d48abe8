/**
 * `linscope analyze --intrinsic-dimension`: the TwoNN intrinsic dimension of every state, equal to
 * numpy's (tools/analysis_reference.py, the reference the page's path is checked against in
 * src/analysis/analyzeLayers.test.ts). The reference values in
 * tests/fixtures/stories260k/corpus-analysis.json were computed by that script from the hidden
 * states this command dumps for the corpus of tests/support/storiesCorpus.ts:
 *
 *   linscope analyze --model <stories260K> --input corpus.txt --corpus --no-reference \
 *     --dump-hidden hidden.safetensors
 *   python3 tools/analysis_reference.py --input hidden.safetensors --out corpus-analysis.json
 *
 * State 0 of this corpus has repeated rows (six BOS, repeated words), which both sides drop first.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinScopeResult } from '../../src/job/result';
import { linscope } from '../support/cli';
import { convertStories260K, ROOT, STORIES_ID } from '../support/models';
import { storiesCorpus, writeCorpusFile } from '../support/storiesCorpus';

interface NumpyState {
  index: number;
  intrinsicDimension: number | null;
}

/**
 * The hidden states come from onnxruntime in float32 and may move in their last bits with the CPU's
 * kernels; TwoNN moves with them by about that relative amount, far below this.
 */
const RELATIVE_TOLERANCE = 1e-5;

describe('linscope analyze --intrinsic-dimension', () => {
  let models: Awaited<ReturnType<typeof convertStories260K>>;
  let modelDir: string;
  let work: string;
  let corpusFile: string;

  beforeAll(async () => {
    models = await convertStories260K();
    modelDir = join(models.root, STORIES_ID);
    work = mkdtempSync(join(tmpdir(), 'linscope-twonn-'));
    corpusFile = join(work, 'corpus.txt');
    writeCorpusFile(corpusFile, storiesCorpus());
  });
  afterAll(async () => {
    await models?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const analyze = (...extra: string[]): LinScopeResult => {
    const out = join(work, 'result.json');
    const r = linscope(
      'analyze',
      '--model',
      modelDir,
      '--input',
      corpusFile,
      '--corpus',
      '--no-reference',
      '--out',
      out,
      ...extra,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return JSON.parse(readFileSync(out, 'utf8')) as LinScopeResult;
  };

  it("gives every state's TwoNN dimension, as numpy computes it", () => {
    const numpy = JSON.parse(
      readFileSync(join(ROOT, 'tests/fixtures/stories260k/corpus-analysis.json'), 'utf8'),
    ) as { states: NumpyState[] };
    const result = analyze('--intrinsic-dimension');
    expect(result.states).toHaveLength(6);
    expect(numpy.states).toHaveLength(6);
    for (const [s, state] of result.states.entries()) {
      const want = numpy.states[s].intrinsicDimension;
      expect(want).not.toBeNull();
      expect(state.intrinsicDimension).not.toBeNull();
      const got = state.intrinsicDimension as number;
      expect(
        Math.abs(got - (want as number)) / (want as number),
        `state ${s}: ${got} vs ${want}`,
      ).toBeLessThan(RELATIVE_TOLERANCE);
    }
  });

  it('leaves it null without the flag, and stats refuses the flag', () => {
    const result = analyze();
    expect(result.states.map((s) => s.intrinsicDimension)).toEqual([null, null, null, null, null, null]);
    const stats = linscope(
      'stats',
      '--model',
      modelDir,
      '--input',
      corpusFile,
      '--intrinsic-dimension',
      '--out',
      join(work, 'part.safetensors'),
    );
    expect(stats.status).toBe(2);
    expect(stats.stderr).toMatch(/--intrinsic-dimension does not apply to stats/);
  });
});
