/**
 * Scoring layer pairs on several worker threads (Node host): the same numbers as one thread, pairs
 * reported as they arrive, cancel terminates the workers, a failure inside a worker rejects; a pool
 * keeps the workers of a run that ended normally for the next one, and only those.
 */
import { describe, expect, it, vi } from 'vitest';
import { nodePairWorkers } from '../../cli/nodePairWorkers';
import {
  analyzeLayers,
  fitReferenceMaps,
  type HiddenStates,
  hiddenStates,
  type LayerPairRecord,
} from '../../src/analysis';
import { loadFixture } from '../../src/analysis/testing/fixture';
import type { PairRequest } from '../../src/job/pairJob';
import { pairWorkerPool } from '../../src/job/pairWorkerPool';
import {
  analyzeLayersInParallel,
  fitReferenceMapsInParallel,
  PARALLEL_MIN_WORK,
  type PairWorker,
  type PairWorkers,
  pairScoringWork,
  pairWorkerMemory,
} from '../../src/job/parallelPairs';

/** Counts the workers started and terminated around a real pool, and keeps the requests they were sent. */
function counted(
  inner: PairWorkers,
): PairWorkers & { started: number; terminated: number; requests: PairRequest[] } {
  const pool = {
    ...inner,
    started: 0,
    terminated: 0,
    requests: [] as PairRequest[],
    spawn(): PairWorker {
      pool.started++;
      const worker = inner.spawn();
      return {
        start: (request, onMessage, onFailure) => {
          pool.requests.push(request);
          worker.start(request, onMessage, onFailure);
        },
        terminate: () => {
          pool.terminated++;
          worker.terminate();
        },
      };
    },
  };
  return pool;
}

/** Seeded states big enough that one pair takes a while (for cancelling mid-run). */
function slowStates(): HiddenStates {
  const [count, tokens, hidden] = [5, 2048, 256];
  let seed = 7;
  const data = new Float32Array(count * tokens * hidden);
  for (let i = 0; i < data.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    data[i] = seed / 4294967296 - 0.5;
  }
  return hiddenStates(data, count, tokens, hidden);
}

/** A run on `workers` of states slow enough to be cancelled mid-pair, cancelled after 50 ms. */
function cancelledRun(workers: PairWorkers): Promise<unknown> {
  const controller = new AbortController();
  const run = analyzeLayersInParallel(
    slowStates(),
    { companions: false },
    { signal: controller.signal },
    workers,
  );
  setTimeout(() => controller.abort(), 50);
  return run;
}

describe('analyzeLayersInParallel (Node worker threads)', () => {
  it('analyzeLayersInParallel on 3 threads gives exactly the single-thread records, per-token values included', async () => {
    const f = loadFixture('small');
    const reference = fitReferenceMaps(f.states('reference_states'));
    const options = { reference, intrinsicDimension: true } as const;
    const single = analyzeLayers(f.states(), options);
    const pool = counted(nodePairWorkers(3, true));
    const arrived: LayerPairRecord[] = [];
    const progress: number[] = [];
    const parallel = await analyzeLayersInParallel(
      f.states(),
      options,
      { onPair: (r) => arrived.push(r), onProgress: (p) => progress.push(p.done) },
      pool,
    );
    expect(pool.started).toBe(3);
    expect(pool.terminated).toBe(3);
    expect(parallel.layers).toEqual(single.layers);
    expect(parallel.states).toEqual(single.states);
    expect(parallel.excludedTokens).toEqual(single.excludedTokens);
    for (let l = 0; l < 3; l++) {
      expect(Array.from(parallel.perToken?.relative[l] ?? [])).toEqual(
        Array.from(single.perToken?.relative[l] ?? []),
      );
      expect(Array.from(parallel.perToken?.flash[l] ?? [])).toEqual(
        Array.from(single.perToken?.flash[l] ?? []),
      );
    }
    expect(arrived.map((r) => r.pair[0]).sort()).toEqual([0, 1, 2]);
    expect(progress).toEqual([1, 2, 3]);
  });

  it('fitReferenceMapsInParallel on 2 threads gives exactly the single-thread fit, with progress per pair', async () => {
    const f = loadFixture('small');
    const ref = f.states('reference_states');
    const single = fitReferenceMaps(ref, { excludeBos: true });
    const pool = counted(nodePairWorkers(2, true));
    const progress: number[] = [];
    const parallel = await fitReferenceMapsInParallel(
      ref,
      { excludeBos: true },
      { onProgress: (p) => progress.push(p.done) },
      pool,
    );
    expect(parallel).toEqual(single);
    expect([pool.started, pool.terminated]).toEqual([2, 2]);
    expect(progress).toEqual([1, 2, 3]);
  });

  it('analyzeLayersInParallel hands the workers the reference weights in shared memory, the same memory run after run', async () => {
    const f = loadFixture('small');
    const reference = fitReferenceMaps(f.states('reference_states'));
    const single = analyzeLayers(f.states(), { reference });
    const pool = counted(nodePairWorkers(2, true));
    const first = await analyzeLayersInParallel(f.states(), { reference }, {}, pool);
    const second = await analyzeLayersInParallel(f.states(), { reference }, {}, pool);
    const sent = pool.requests.map((request) =>
      request.task === 'score'
        ? (request.options.reference?.pairs ?? []).map((p) => p?.map.weights ?? null)
        : [],
    );
    expect(first.layers).toEqual(single.layers);
    expect(second.layers).toEqual(single.layers);
    expect(Array.from(second.perToken?.relative[1] ?? [])).toEqual(
      Array.from(single.perToken?.relative[1] ?? []),
    );
    // Two runs of two workers; each worker gets its own pairs' weights, in shared memory.
    expect(sent).toHaveLength(4);
    const buffers = (run: (Float64Array | null)[][]) =>
      run.flatMap((pairs) => pairs.flatMap((w) => (w === null ? [] : [w.buffer])));
    const [firstRun, secondRun] = [buffers(sent.slice(0, 2)), buffers(sent.slice(2))];
    expect(firstRun).toHaveLength(3);
    for (const buffer of firstRun) expect(buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(secondRun).toEqual(firstRun);
    for (let i = 0; i < 3; i++) expect(secondRun[i]).toBe(firstRun[i]);
    // The fit itself is left as it was, its numbers in the shared copies.
    reference.pairs.forEach((pair, l) => {
      expect(pair?.map.weights.buffer).toBeInstanceOf(ArrayBuffer);
      const shared = sent.flatMap((pairs) => (pairs[l] ? [pairs[l]] : []))[0];
      expect(Array.from(shared ?? [])).toEqual(Array.from(pair?.map.weights ?? []));
    });
  });

  it('analyzeLayersInParallel without SharedArrayBuffer (a page that is not isolated) copies the states to each worker, same numbers', async () => {
    const f = loadFixture('small');
    const reference = fitReferenceMaps(f.states('reference_states'));
    const single = analyzeLayers(f.states(), { reference });
    vi.stubGlobal('SharedArrayBuffer', undefined);
    try {
      const pool = counted(nodePairWorkers(2, true));
      const parallel = await analyzeLayersInParallel(f.states(), { reference }, {}, pool);
      expect(pool.started).toBe(2);
      expect(parallel.layers).toEqual(single.layers);
      expect(Array.from(parallel.perToken?.relative[2] ?? [])).toEqual(
        Array.from(single.perToken?.relative[2] ?? []),
      );
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('analyzeLayersInParallel starts only as many workers as the memory budget holds', async () => {
    const f = loadFixture('small');
    const states = f.states();
    const perWorker = pairWorkerMemory(states.tokens, states.hidden);
    const twoFit = counted({ ...nodePairWorkers(8, true), memoryBudget: 2.5 * perWorker });
    const got = await analyzeLayersInParallel(states, {}, {}, twoFit);
    expect(twoFit.started).toBe(2);
    expect(got.layers).toEqual(analyzeLayers(states, {}).layers);
    // Room for one: the calling thread does it all.
    const oneFits = counted({ ...nodePairWorkers(8, true), memoryBudget: 1.5 * perWorker });
    await analyzeLayersInParallel(states, {}, {}, oneFits);
    expect(oneFits.started).toBe(0);
    // GPT-2 small at 4096 tokens: ~150 MB a worker, so the 2 GB default holds 8 of them.
    expect(pairWorkerMemory(4096, 768) / 2 ** 20).toBeCloseTo(141, 0);
  });

  it('analyzeLayersInParallel scores a small run on the calling thread unless told to split it', async () => {
    const f = loadFixture('small');
    const states = f.states();
    expect(pairScoringWork(3, states.tokens, states.hidden)).toBeLessThan(PARALLEL_MIN_WORK);
    const pool = counted(nodePairWorkers(2));
    const got = await analyzeLayersInParallel(states, {}, {}, pool);
    expect(pool.started).toBe(0);
    expect(got.layers).toEqual(analyzeLayers(states, {}).layers);
  });

  it('analyzeLayersInParallel: cancelling mid-run rejects with AbortError and terminates every worker', async () => {
    const pool = counted(nodePairWorkers(2, true));
    await expect(cancelledRun(pool)).rejects.toMatchObject({ name: 'AbortError' });
    expect(pool.started).toBe(2);
    expect(pool.terminated).toBe(2);
  });

  it('analyzeLayersInParallel: an error inside a worker rejects with its message, naming the pairs', async () => {
    const f = loadFixture('small');
    const reference = fitReferenceMaps(f.states('reference_states'));
    // A reference of another width: analyzeLayers throws inside each worker.
    const wrong = { ...reference, d: reference.d + 1 };
    const pool = counted(nodePairWorkers(2, true));
    await expect(analyzeLayersInParallel(f.states(), { reference: wrong }, {}, pool)).rejects.toThrow(
      /Pairs \d-\d: analyzeLayers: reference has 3 pairs/,
    );
    expect(pool.terminated).toBe(2);
  });
});

describe('pairWorkerPool (Node worker threads)', () => {
  it('a score, a fit and another score on a pool of 2 start 2 workers in all, with the single-thread numbers', async () => {
    const f = loadFixture('small');
    const ref = f.states('reference_states');
    const spawned = counted(nodePairWorkers(2, true));
    const pool = pairWorkerPool(spawned);
    try {
      const scored = await analyzeLayersInParallel(f.states(), {}, {}, pool);
      expect([spawned.started, pool.idle]).toEqual([2, 2]);
      const fit = await fitReferenceMapsInParallel(ref, { excludeBos: true }, {}, pool);
      const rescored = await analyzeLayersInParallel(f.states(), { reference: fit }, {}, pool);
      expect([spawned.started, spawned.terminated, pool.idle]).toEqual([2, 0, 2]);
      expect(scored.layers).toEqual(analyzeLayers(f.states(), {}).layers);
      const single = fitReferenceMaps(ref, { excludeBos: true });
      expect(fit).toEqual(single);
      const singleScores = analyzeLayers(f.states(), { reference: single });
      expect(rescored.layers).toEqual(singleScores.layers);
      for (let l = 0; l < 3; l++)
        expect(Array.from(rescored.perToken?.relative[l] ?? [])).toEqual(
          Array.from(singleScores.perToken?.relative[l] ?? []),
        );
    } finally {
      pool.close();
    }
    expect([spawned.terminated, pool.idle]).toEqual([2, 0]);
  });

  it('a cancelled run terminates its workers instead of keeping them; the next run starts new ones', async () => {
    const spawned = counted(nodePairWorkers(2, true));
    const pool = pairWorkerPool(spawned);
    try {
      await expect(cancelledRun(pool)).rejects.toMatchObject({ name: 'AbortError' });
      expect([spawned.started, spawned.terminated, pool.idle]).toEqual([2, 2, 0]);
      const f = loadFixture('small');
      const got = await analyzeLayersInParallel(f.states(), {}, {}, pool);
      expect(got.layers).toEqual(analyzeLayers(f.states(), {}).layers);
      expect([spawned.started, spawned.terminated, pool.idle]).toEqual([4, 2, 2]);
    } finally {
      pool.close();
    }
  });

  it('a run that failed in a worker terminates all of its workers; the pool still serves the next run', async () => {
    const f = loadFixture('small');
    const reference = fitReferenceMaps(f.states('reference_states'));
    const spawned = counted(nodePairWorkers(2, true));
    const pool = pairWorkerPool(spawned);
    try {
      await expect(
        analyzeLayersInParallel(f.states(), { reference: { ...reference, d: reference.d + 1 } }, {}, pool),
      ).rejects.toThrow(/Pairs \d-\d: analyzeLayers: reference has 3 pairs/);
      expect([spawned.terminated, pool.idle]).toEqual([2, 0]);
      const got = await analyzeLayersInParallel(f.states(), { reference }, {}, pool);
      expect(got.layers).toEqual(analyzeLayers(f.states(), { reference }).layers);
    } finally {
      pool.close();
    }
  });

  it('a run bigger than keepBelow ends its workers: what it allocated would stay in idle workers', async () => {
    const f = loadFixture('small');
    const states = f.states();
    const runBytes = pairWorkerMemory(states.tokens, states.hidden);
    const spawned = counted(nodePairWorkers(2, true));
    const pool = pairWorkerPool(spawned, { keepBelow: runBytes - 1 });
    try {
      await analyzeLayersInParallel(states, {}, {}, pool);
      expect([spawned.started, spawned.terminated, pool.idle]).toEqual([2, 2, 0]);
      const atLimit = pairWorkerPool(spawned, { keepBelow: runBytes });
      await analyzeLayersInParallel(states, {}, {}, atLimit);
      expect([spawned.started, spawned.terminated, atLimit.idle]).toEqual([4, 2, 2]);
      atLimit.close();
    } finally {
      pool.close();
    }
  });

  it('two runs at once on a pool of 2 keep 2 workers afterwards, and idle workers end after idleMs', async () => {
    const f = loadFixture('small');
    const spawned = counted(nodePairWorkers(2, true));
    const pool = pairWorkerPool(spawned, { idleMs: 200 });
    try {
      const [a, b] = await Promise.all([
        analyzeLayersInParallel(f.states(), {}, {}, pool),
        analyzeLayersInParallel(f.states(), {}, {}, pool),
      ]);
      expect(a.layers).toEqual(b.layers);
      expect([spawned.started, spawned.terminated, pool.idle]).toEqual([4, 2, 2]);
      await vi.waitFor(() => expect(pool.idle).toBe(0), { timeout: 5_000, interval: 50 });
      expect(spawned.terminated).toBe(4);
    } finally {
      pool.close();
    }
  });
});
