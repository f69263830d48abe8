/**
 * A run whose pooled hidden states would be more than the host's budget (the page: 1 GB) is refused
 * before its first window runs, saying how many tokens this model can take; within the budget the
 * same run goes through.
 */
import { describe, expect, it } from 'vitest';
import { runAnalyzeJob } from '../../src/job/analyze';
import { pooledStateBytes } from '../../src/job/forwardWindows';
import { DEFAULT_SETTINGS } from '../../src/job/settings';
import { nodeRuntime, readModelsFromFolder } from '../../src/model/nodeRuntime';
import { PUBLIC_MODELS } from '../support/models';

describe('the states budget', () => {
  it('refuses a text whose states exceed it before running anything, and runs it within it', async () => {
    const rt = await nodeRuntime();
    readModelsFromFolder(rt, PUBLIC_MODELS);
    const job = {
      model: { id: 'linscope/tiny-gpt2', dtype: 'fp32' as const, device: 'cpu' as const },
      texts: ['In the beginning God created the heaven and the earth. '.repeat(20)],
      settings: DEFAULT_SETTINGS,
      reference: null,
    };
    // The bundled model: 4 blocks, width 128; a budget of 100 tokens' states.
    const budget = pooledStateBytes(4, 128, 100);
    const forwards: number[] = [];
    const refused = runAnalyzeJob(rt, job, {
      maxStateBytes: budget,
      onProgress: (p) => {
        if (p.stage === 'forward') forwards.push(p.window);
      },
    });
    await expect(refused).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(refused).rejects.toThrow(
      /The text is [\d,]+ tokens: their hidden states would take 1 MB \(5 states of 128 values a token, and the last block's output\), more than the 1 MB a tab can hold for them, about 100 tokens of this model/,
    );
    expect(forwards).toEqual([]);
    const output = await runAnalyzeJob(rt, job, { maxStateBytes: pooledStateBytes(4, 128, 10_000) });
    expect(output.ids.length).toBeGreaterThan(100);
  });
});
