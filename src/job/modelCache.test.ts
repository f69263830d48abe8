import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LinScopeRuntime } from '../model/augmentingRuntime';
import { HiddenStateModel, type LoadProgress, type ModelSpec } from '../model/hiddenStateModel';
import { loadModel, PREVIOUS_MODEL_WAIT_MS, prepareModel } from './modelCache';

const rt = {} as LinScopeRuntime;
const spec = (id: string): ModelSpec => ({ id, dtype: 'fp32', device: 'wasm' });

/** A load that the test settles by hand, with the progress callback it was given. */
interface PendingLoad {
  spec: ModelSpec;
  progress?: (p: LoadProgress) => void;
  resolve(model: HiddenStateModel): void;
  reject(error: unknown): void;
}

function fakeModel(idle: () => Promise<void> = async () => undefined): HiddenStateModel & {
  warmUp: ReturnType<typeof vi.fn>;
  dispose: ReturnType<typeof vi.fn>;
} {
  return {
    warmUp: vi.fn(async () => undefined),
    idle: vi.fn(idle),
    dispose: vi.fn(async () => undefined),
  } as unknown as HiddenStateModel & {
    warmUp: ReturnType<typeof vi.fn>;
    dispose: ReturnType<typeof vi.fn>;
  };
}

function spyOnLoads(): PendingLoad[] {
  const loads: PendingLoad[] = [];
  vi.spyOn(HiddenStateModel, 'load').mockImplementation(
    (_rt, s, progress) =>
      new Promise<HiddenStateModel>((resolve, reject) => loads.push({ spec: s, progress, resolve, reject })),
  );
  return loads;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => vi.restoreAllMocks());

describe('the model cache with loads made ahead of a job', () => {
  it('a job that comes while the model is loaded ahead waits for that load, with its progress, and loads nothing more', async () => {
    const loads = spyOnLoads();
    const prepared = prepareModel(rt, spec('ahead/joined'));
    const seen: LoadProgress[] = [];
    const job = loadModel(rt, spec('ahead/joined'), (p) => seen.push(p));
    await tick();
    expect(loads).toHaveLength(1);
    loads[0].progress?.({ stage: 'augment' });
    const model = fakeModel();
    loads[0].resolve(model);
    expect(await job).toBe(model);
    expect(await prepared).toBe(true);
    expect(model.warmUp).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([{ stage: 'augment' }]);
    // Loaded ahead once more: nothing is loaded again, the warm-up is asked again (it runs once per session).
    expect(await prepareModel(rt, spec('ahead/joined'))).toBe(true);
    expect(loads).toHaveLength(1);
    expect(model.warmUp).toHaveBeenCalledTimes(2);
  });

  it('a failed load ahead is not the job’s failure: the job loads the model itself', async () => {
    const loads = spyOnLoads();
    const prepared = prepareModel(rt, spec('ahead/failed'));
    const job = loadModel(rt, spec('ahead/failed'));
    await tick();
    loads[0].reject(new Error('not in the browser cache'));
    expect(await prepared).toBe(false);
    await tick();
    expect(loads).toHaveLength(2);
    const model = fakeModel();
    loads[1].resolve(model);
    expect(await job).toBe(model);
  });

  it('a job’s own failed load is reported to every job waiting for it', async () => {
    const loads = spyOnLoads();
    const first = loadModel(rt, spec('job/failed'));
    const second = loadModel(rt, spec('job/failed'));
    await tick();
    expect(loads).toHaveLength(1);
    loads[0].reject(new Error('damaged'));
    await expect(first).rejects.toThrow('damaged');
    await expect(second).rejects.toThrow('damaged');
    expect(loads).toHaveLength(1);
  });

  it('loading ahead another model replaces the one kept, which is disposed once the new one is asked for', async () => {
    const loads = spyOnLoads();
    const kept = fakeModel();
    const first = loadModel(rt, spec('kept/a'));
    await tick();
    loads[0].resolve(kept);
    await first;
    const next = prepareModel(rt, spec('kept/b'));
    await tick();
    expect(kept.dispose).toHaveBeenCalledTimes(1);
    loads[1].resolve(fakeModel());
    expect(await next).toBe(true);
  });

  it('another model’s sessions are made only once the model kept is idle: its warm-up and runs ended', async () => {
    const loads = spyOnLoads();
    let idle!: () => void;
    const kept = fakeModel(() => new Promise<void>((resolve) => (idle = resolve)));
    const first = loadModel(rt, spec('idle/a'));
    await tick();
    loads[0].resolve(kept);
    await first;
    const next = prepareModel(rt, spec('idle/b'));
    await tick();
    expect(kept.idle).toHaveBeenCalledTimes(1);
    expect(loads).toHaveLength(1); // still warming up: nothing is made beside it
    idle();
    await tick();
    expect(loads).toHaveLength(2);
    expect(loads[1].spec.id).toBe('idle/b');
    loads[1].resolve(fakeModel());
    expect(await next).toBe(true);
  });

  it('another model’s load waits for the load under way, and starts when that one fails', async () => {
    const loads = spyOnLoads();
    const first = loadModel(rt, spec('busy/a'));
    await tick();
    const next = loadModel(rt, spec('busy/b'));
    await tick();
    expect(loads).toHaveLength(1);
    loads[0].reject(new Error('the session could not be made'));
    await expect(first).rejects.toThrow('the session could not be made');
    await tick();
    expect(loads).toHaveLength(2);
    const model = fakeModel();
    loads[1].resolve(model);
    expect(await next).toBe(model);
  });

  it('a load under way that never ends holds another model back for PREVIOUS_MODEL_WAIT_MS, no longer', async () => {
    vi.useFakeTimers();
    try {
      const loads = spyOnLoads();
      void loadModel(rt, spec('stalled/a')).catch(() => undefined);
      await vi.advanceTimersByTimeAsync(0);
      const next = loadModel(rt, spec('stalled/b'));
      await vi.advanceTimersByTimeAsync(PREVIOUS_MODEL_WAIT_MS - 1);
      expect(loads).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(loads).toHaveLength(2);
      const model = fakeModel();
      loads[1].resolve(model);
      expect(await next).toBe(model);
    } finally {
      vi.useRealTimers();
    }
  });
});
