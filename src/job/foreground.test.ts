import { describe, expect, it, vi } from 'vitest';
import type { LinScopeRuntime } from '../model/augmentingRuntime';
import { HiddenStateModel } from '../model/hiddenStateModel';
import { runAnalyzeJob } from './analyze';
import { backgroundTurn, beginForeground } from './foreground';
import { DEFAULT_SETTINGS } from './settings';

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

describe('foreground work and background turns', () => {
  it('gives background work its turn at once when nothing runs in the foreground', async () => {
    expect(await settled(backgroundTurn())).toBe(true);
  });

  it('holds background work until every foreground part has ended; ending twice counts once', async () => {
    const endA = beginForeground();
    const endB = beginForeground();
    const turn = backgroundTurn();
    expect(await settled(turn)).toBe(false);
    endA();
    endA();
    expect(await settled(turn)).toBe(false);
    endB();
    expect(await settled(turn)).toBe(true);
    expect(await settled(backgroundTurn())).toBe(true);
  });

  it('a job that fails before its first view ends its foreground part', async () => {
    vi.spyOn(HiddenStateModel, 'load').mockRejectedValue(new Error('no such model'));
    const job = runAnalyzeJob({} as LinScopeRuntime, {
      model: { id: 'missing/model', dtype: 'fp32', device: 'wasm' },
      texts: ['some text'],
      settings: DEFAULT_SETTINGS,
      reference: null,
    });
    const turn = backgroundTurn();
    await expect(job).rejects.toThrow('no such model');
    expect(await settled(turn)).toBe(true);
    vi.restoreAllMocks();
  });
});
