/**
 * The Python recipe (tools/stats_recipe.py, run by tools/stats_recipe_fixture.py on
 * fixtures/tiny-random-gpt2 rebuilt in PyTorch) against LinScope: its moments equal LinScope's
 * layerMoments of the very states it summed within 1e-8; `linscope stats` on the same shard (the
 * ONNX export of the same weights) counts the same tokens and gives the same scores within 1e-6
 * (the states differ by float32 rounding between PyTorch and onnxruntime); and the two files merge.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hiddenStates, layerMoments, momentScores } from '../../src/analysis';
import { momentsRelativeDiff } from '../../src/analysis/testing/moments';
import type { LinScopeResult } from '../../src/job/result';
import { getTensor, readSafetensors } from '../../src/share/safetensors';
import { readStatsFile } from '../../src/share/statsFile';
import { linscope } from '../support/cli';
import { PUBLIC_MODELS, ROOT } from '../support/models';

const FIXTURES = join(ROOT, 'tests/fixtures/stats');
const RECIPE = join(FIXTURES, 'tiny-random-gpt2.recipe.safetensors');

describe('tools/stats_recipe.py and linscope stats', () => {
  const recipe = readStatsFile(readFileSync(RECIPE), 'recipe');
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'linscope-recipe-'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the recipe sums what LinScope sums, from the same states, within 1e-8', () => {
    const dump = readSafetensors(readFileSync(join(FIXTURES, 'tiny-random-gpt2.states.safetensors')));
    const states = getTensor(dump, 'hidden_states');
    const [S, N, d] = states.shape;
    const ours = layerMoments(hiddenStates(states.data as Float32Array, S, N, d));
    expect(recipe.moments.n).toBe(N);
    expect(recipe.model).toMatchObject({
      id: 'fixtures/tiny-random-gpt2',
      layers: 2,
      hidden: 64,
      vocab: 512,
      type: 'gpt2',
    });
    expect(momentsRelativeDiff(recipe.moments, ours)).toBeLessThan(1e-8);
  });

  it('linscope stats on the same shard counts the same tokens, scores the same, and merges with it', () => {
    const out = join(work, 'cli.safetensors');
    const r = linscope(
      'stats',
      '--model',
      join(PUBLIC_MODELS, 'fixtures/tiny-random-gpt2'),
      '--input',
      join(FIXTURES, 'shard.jsonl'),
      '--window',
      '128',
      '--out',
      out,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const cli = readStatsFile(readFileSync(out), 'cli');
    expect(cli.moments.n).toBe(recipe.moments.n);
    expect(cli.settings).toEqual(recipe.settings);
    expect(momentsRelativeDiff(cli.moments, recipe.moments)).toBeLessThan(1e-4);
    const a = momentScores(cli.moments);
    const b = momentScores(recipe.moments);
    a.forEach((p, l) => {
      expect(Math.abs((p.linearity.score ?? 0) - (b[l].linearity.score ?? 1))).toBeLessThan(1e-6);
      expect(
        Math.abs((p.linearityNoResidual.score ?? 0) - (b[l].linearityNoResidual.score ?? 1)),
      ).toBeLessThan(1e-6);
    });
    const merged = linscope('reduce', out, RECIPE, '--out', join(work, 'merged.json'));
    expect(merged.stderr).toBe('');
    const result = JSON.parse(readFileSync(join(work, 'merged.json'), 'utf8')) as LinScopeResult;
    expect(result.statistics).toMatchObject({ shards: 2, tokens: 2 * recipe.moments.n });
    expect(result.statistics?.generator).toMatch(/^linscope .* \+ linscope-recipe 1/);
    expect(result.model.dtype).toBe('fp32 + torch-float32');
  });
});
