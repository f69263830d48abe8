/**
 * The reference fitted ahead of an analysis (`prepare-reference`), through the worker's message loop
 * with the real handlers on a Node host: the analysis after it runs no reference window and gives
 * the result of a worker that fitted within the analysis; an analysis pressed while the fit is being
 * made gets its first view before the fit goes on, then waits for that fit instead of making its
 * own; a stopped fit leaves the analysis waiting for it to make its own.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { modelTextReference } from '../../src/job/corpus';
import type { ResultTail } from '../../src/job/result';
import { DEFAULT_SETTINGS } from '../../src/job/settings';
import { createHandlers } from '../../src/worker/handlers';
import type { WorkerEvent } from '../../src/worker/protocol';
import { finalEvent, inProcessWorker, type Posted } from './inProcessWorker';
import { nodeWorkerHost } from './nodeHost';

const MODEL = { spec: { id: 'linscope/tiny-gpt2', dtype: 'fp32' as const }, allowHub: false };
const PROMPT =
  'In the beginning God created the heaven and the earth. And the earth was without form, and void. ' +
  'A hacker is a person who enjoys exploring the details of programmable systems, and stretching their capabilities.';
const AHEAD = { model: MODEL, settings: DEFAULT_SETTINGS, reference: 'bundled' as const };
const ANALYZE = { model: MODEL, texts: [PROMPT], settings: DEFAULT_SETTINGS, reference: 'bundled' as const };

/** The reference windows (fit, not the held-out check) whose start a request's progress reported. */
function referenceWindows(posted: Posted[]): number[] {
  return posted.flatMap(({ event }) =>
    event.type === 'progress' && event.progress.stage === 'forward' && event.progress.of === 'reference'
      ? [event.progress.window]
      : [],
  );
}

/** Whether a request's events include reference work (windows, their check, the fit's pairs). */
function ranReference(posted: Posted[]): boolean {
  return posted.some(
    ({ event }) =>
      event.type === 'progress' &&
      ((event.progress.stage === 'forward' && event.progress.of !== 'input') ||
        event.progress.stage === 'fit'),
  );
}

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function tailOf(posted: Posted[]): ResultTail {
  const last = finalEvent(posted);
  if (last.type !== 'result') throw new Error(`expected a result, got ${JSON.stringify(last)}`);
  return last.tail;
}

async function probedWorker() {
  const worker = inProcessWorker();
  await worker.request({ type: 'probe', backend: 'auto', assetBase: 'file:///' });
  return worker;
}

/** A worker with the model loaded ahead and the reference fit ahead past the start of its first window. */
async function fitAheadUnderWay() {
  const worker = await probedWorker();
  await worker.request({ type: 'load-ahead', model: MODEL });
  const aheadId = worker.newId();
  const ahead = worker.serve({ type: 'prepare-reference', id: aheadId, request: AHEAD });
  await until(() => referenceWindows(worker.events(aheadId)).length > 0);
  return { worker, aheadId, ahead };
}

describe('the reference fitted ahead (worker message loop, Node host)', () => {
  /** What an analysis gives when it fits the reference itself (a worker of its own, its own store). */
  let expected: ResultTail;

  beforeAll(async () => {
    const worker = await probedWorker();
    const posted = await worker.request({ type: 'analyze', request: ANALYZE });
    expect(referenceWindows(posted)[0]).toBe(1);
    expected = tailOf(posted);
  }, 120_000);

  it('makes the fit the next analysis uses: that analysis runs no reference work and gives the same result', async () => {
    const worker = await probedWorker();
    // A model that is not the one loaded: nothing is loaded for it, nothing is fitted.
    const other = await worker.request({
      type: 'prepare-reference',
      request: {
        ...AHEAD,
        model: { spec: { id: 'linscope/no-such-model', dtype: 'fp32' }, allowHub: false },
      },
    });
    expect(other.map((p) => p.event.type)).toEqual(['reference-prepared']);
    expect(finalEvent(other)).toMatchObject({ ready: false });

    expect(finalEvent(await worker.request({ type: 'load-ahead', model: MODEL }))).toMatchObject({
      ready: true,
    });
    // The model's own text is written only for a run someone asked for (minutes on a CPU).
    const ownText = await worker.request({
      type: 'prepare-reference',
      request: { ...AHEAD, reference: modelTextReference() },
    });
    expect(ownText.map((p) => p.event.type)).toEqual(['reference-prepared']);
    expect(finalEvent(ownText)).toMatchObject({ ready: false });

    const prepared = await worker.request({ type: 'prepare-reference', request: AHEAD });
    expect(finalEvent(prepared)).toMatchObject({ type: 'reference-prepared', ready: true });
    const windows = referenceWindows(prepared);
    expect(windows.length).toBeGreaterThan(4);
    expect(windows).toEqual(Array.from({ length: windows.length }, (_, k) => k + 1));

    const posted = await worker.request({ type: 'analyze', request: ANALYZE });
    expect(ranReference(posted)).toBe(false);
    expect(tailOf(posted)).toEqual(expected);

    // Asked again: the fit is in the store, answered without running anything.
    const again = await worker.request({ type: 'prepare-reference', request: AHEAD });
    expect(finalEvent(again)).toMatchObject({ ready: true });
    expect(ranReference(again)).toBe(false);
  }, 120_000);

  it('gives an analysis pressed meanwhile its first view first, then that analysis waits for the fit instead of making one', async () => {
    const { worker, aheadId, ahead } = await fitAheadUnderWay();
    const analyzeId = worker.newId();
    const posted = await worker.request({ type: 'analyze', request: ANALYZE }, analyzeId);
    await ahead;
    expect(finalEvent(worker.events(aheadId))).toMatchObject({ type: 'reference-prepared', ready: true });

    // The analysis showed the progress of the fit it waited for, which it did not start.
    const joined = referenceWindows(posted);
    expect(joined.length).toBeGreaterThan(0);
    expect(joined).not.toContain(1);
    expect(referenceWindows(worker.events(aheadId))[0]).toBe(1);
    // From the analysis's plan (its model in hand) to its first view, the fit made ahead started no window.
    const events: WorkerEvent[] = worker.posted.map((p) => p.event);
    const plan = events.findIndex((e) => e.id === analyzeId && e.type === 'plan');
    const firstView = events.findIndex((e) => e.id === analyzeId && e.type === 'first-view');
    expect(plan).toBeGreaterThan(0);
    const during = events
      .slice(plan, firstView)
      .filter((e) => e.id === aheadId && e.type === 'progress' && e.progress.stage === 'forward');
    expect(during).toEqual([]);
    expect(firstView).toBeLessThan(events.findIndex((e) => e.type === 'reference-prepared'));
    expect(tailOf(posted)).toEqual(expected);
  }, 120_000);

  it('when the fit made ahead is stopped, the analysis waiting for it makes its own', async () => {
    const { worker, aheadId, ahead } = await fitAheadUnderWay();
    const analyzeId = worker.newId();
    const analysis = worker.request({ type: 'analyze', request: ANALYZE }, analyzeId);
    await until(() => worker.events(analyzeId).some((p) => p.event.type === 'first-view'));
    await worker.serve({ type: 'cancel', id: aheadId });
    await ahead;
    expect(finalEvent(worker.events(aheadId))).toMatchObject({ type: 'error', error: { code: 'ABORTED' } });
    const posted = await analysis;
    expect(referenceWindows(posted)).toContain(1);
    expect(tailOf(posted)).toEqual(expected);
  }, 120_000);

  it('is not made on a software GPU, where it would take minutes of CPU', async () => {
    const host = nodeWorkerHost();
    const probe = host.probe;
    const handlers = createHandlers({
      ...host,
      probe: async (choice, assetBase) => ({
        ...(await probe(choice, assetBase)),
        backend: 'webgpu',
        adapter: 'software fallback adapter',
        softwareAdapter: true,
      }),
    });
    await handlers.probe('webgpu', 'file:///');
    // The model is loaded (so nothing but the adapter stands in the way), and still nothing is fitted.
    expect(await handlers.loadAhead(MODEL)).toBe(true);
    const progress: unknown[] = [];
    expect(await handlers.prepareReference(AHEAD, { onProgress: (p) => progress.push(p) })).toBe(false);
    expect(progress).toEqual([]);
  });
});
