/// <reference lib="webworker" />
/**
 * The linear-algebra step of the benchmark as the page runs it: the analysis core in a Web Worker
 * of Chromium, its pairs split over nested pair workers (`browserPairWorkers`, the app's own),
 * started fresh for each timed run as they are for a page's reference fit.
 */
import { analyzeLayers, hiddenStates, kernelKind } from '../../src/analysis';
import { analyzeLayersInParallel } from '../../src/job/parallelPairs';
import { browserPairWorkers } from '../../src/worker/browserPairWorkers';
import { syntheticStates } from '../linalgStates';
import type { LinalgMessage, LinalgRequest } from './linalgProtocol';

declare const self: DedicatedWorkerGlobalScope;

async function timed(request: LinalgRequest): Promise<LinalgMessage> {
  const { layers: L, tokens: n, hidden: d } = request;
  // In shared memory, as the page's forward passes leave them (forwardWindows.ts), so that the pair
  // workers read them without a copy.
  const made = syntheticStates(L, n, d);
  const data = new Float32Array(new SharedArrayBuffer(made.byteLength));
  data.set(made);
  const states = hiddenStates(data, L + 1, n, d);
  const options = { companions: false, heldOutFraction: 0 };
  // Warm-up on a small slice, as in Node, so that the kernels are optimised before timing.
  analyzeLayers(hiddenStates(data.subarray(0, 3 * 256 * d), 3, 256, d), options);
  let oneThread = Number.POSITIVE_INFINITY;
  let linearity: (number | null)[] = [];
  for (let r = 0; r < request.repeats; r++) {
    const t0 = performance.now();
    const result = analyzeLayers(states, options);
    oneThread = Math.min(oneThread, (performance.now() - t0) / 1000);
    linearity = result.layers.map((p) => p.linearity);
  }
  let parallel = Number.POSITIVE_INFINITY;
  for (let r = 0; r < request.repeats; r++) {
    const t0 = performance.now();
    const result = await analyzeLayersInParallel(
      states,
      options,
      {},
      browserPairWorkers(request.threads, true),
    );
    parallel = Math.min(parallel, (performance.now() - t0) / 1000);
    if (result.layers.some((p, l) => p.linearity !== linearity[l]))
      throw new Error('the pair workers gave other numbers than one thread');
  }
  return { type: 'timed', oneThread, parallel, threads: request.threads, kernel: kernelKind(), linearity };
}

self.onmessage = (event: MessageEvent<LinalgRequest>) => {
  timed(event.data).then(
    (message) => self.postMessage(message),
    (error: unknown) => self.postMessage({ type: 'error', message: String(error) } satisfies LinalgMessage),
  );
};
