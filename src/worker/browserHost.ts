/**
 * The page worker's host: onnxruntime-web (WebGPU or WASM) with model files from LinScope's origin,
 * the user's disk or the Hub; reference fits kept in IndexedDB; pair workers as nested Web Workers,
 * kept between runs.
 */
import { LinScopeError } from '../errors';
import { type ReferenceCorpus, splitCorpus } from '../job/corpus';
import { type PairWorkerPool, pairWorkerPool } from '../job/pairWorkerPool';
import type { BackendInfo } from '../model/backend';
import { browserRuntime, probeBackend } from '../model/webRuntime';
import { browserPairWorkers, browserScoringThreads } from './browserPairWorkers';
import type { WorkerHost } from './host';
import { IndexedDbFitStore } from './indexedDbFitStore';

export function browserHost(): WorkerHost {
  let assetBase = '';
  const pairWorkerPools = new Map<number | undefined, PairWorkerPool>();
  let backend: BackendInfo | null = null;
  return {
    async probe(choice, base) {
      assetBase = base;
      backend = await probeBackend(choice, base);
      return backend;
    },
    async runtime() {
      if (!assetBase) throw new LinScopeError('INTERNAL', 'the worker was not probed before use');
      return browserRuntime(assetBase);
    },
    device: () => backend?.backend ?? 'wasm',
    async bundledReference(file): Promise<ReferenceCorpus> {
      const url = new URL(`corpus/${file}`, assetBase).href;
      const response = await fetch(url);
      if (!response.ok)
        throw new LinScopeError(
          'INTERNAL',
          `the bundled reference corpus is missing (${response.status} for ${url})`,
        );
      return {
        source: 'bundled',
        name: file,
        texts: splitCorpus(await response.text(), file),
      };
    },
    // Reference fits survive reloads: they are the slow part of a first run.
    fitStore: new IndexedDbFitStore(),
    pairWorkers: (threads) => {
      // One pool per setting, so that the runs of a job, and the next job, find their workers warm.
      let pool = pairWorkerPools.get(threads);
      if (pool === undefined) {
        pool = pairWorkerPool(
          threads === undefined
            ? browserPairWorkers(browserScoringThreads())
            : browserPairWorkers(threads, threads > 1),
        );
        pairWorkerPools.set(threads, pool);
      }
      return pool;
    },
  };
}
