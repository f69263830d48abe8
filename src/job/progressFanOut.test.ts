import { describe, expect, it } from 'vitest';
import { ProgressFanOut } from './progressFanOut';

describe('ProgressFanOut: work in flight that several callers follow', () => {
  it('passes progress to the maker throughout and to each follower while it waits', async () => {
    const maker: number[] = [];
    const follower: number[] = [];
    const fanOut = new ProgressFanOut<number>((p) => maker.push(p));
    let finish: (value: string) => void = () => {};
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });
    fanOut.emit(1);
    const followed = fanOut.follow(work, (p) => follower.push(p));
    fanOut.emit(2);
    finish('done');
    expect(await followed).toBe('done');
    fanOut.emit(3);
    expect(maker).toEqual([1, 2, 3]);
    expect(follower).toEqual([2]);
  });

  it('stops a follower’s wait when its signal aborts, and the work goes on for the others', async () => {
    const fanOut = new ProgressFanOut<number>();
    let finish: (value: string) => void = () => {};
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const controller = new AbortController();
    const seen: number[] = [];
    const stopped = fanOut.follow(work, (p) => seen.push(p), controller.signal);
    const other = fanOut.follow(work);
    controller.abort(new Error('cancelled'));
    await expect(stopped).rejects.toThrow('cancelled');
    fanOut.emit(7);
    expect(seen).toEqual([]);
    finish('done');
    expect(await other).toBe('done');
    await expect(fanOut.follow(work, undefined, controller.signal)).rejects.toThrow('cancelled');
  });
});
