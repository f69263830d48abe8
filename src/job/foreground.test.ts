import { describe, expect, it } from 'vitest';
import { backgroundTurn, beginForeground, inForeground } from './foreground';

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

  it('ends a foreground part when its work fails', async () => {
    let turn: Promise<void> | null = null;
    await expect(
      inForeground(async () => {
        turn = backgroundTurn();
        expect(await settled(turn)).toBe(false);
        throw new Error('failed');
      }),
    ).rejects.toThrow('failed');
    expect(turn && (await settled(turn))).toBe(true);
  });
});
