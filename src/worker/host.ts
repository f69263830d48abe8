/**
 * What the worker's handlers need of the place they run in. The page's worker passes the browser's
 * (`browserHost.ts`: onnxruntime-web, IndexedDB, nested pair workers); tests pass Node's, so the
 * handlers and the message loop run in-process without a browser.
 */

import type { ReferenceCorpus } from '../job/corpus';
import type { ReferenceFitStore } from '../job/fitStore';
import type { PairWorkers } from '../job/parallelPairs';
import type { LinScopeRuntime } from '../model/augmentingRuntime';
import type { BackendChoice, BackendInfo } from '../model/backend';
import type { BundledReferenceFile } from '../model/catalog';
import type { ModelDevice } from '../model/hiddenStateModel';
import type { ModelFiles } from '../model/modelFileCache';

/** A runtime that can also hold a user's model files in memory (opened from disk or converted). */
export interface HostRuntime extends LinScopeRuntime {
  files: {
    register(name: string, files: ModelFiles): string;
    /** Forgets cached downloads of model `id` (after one turned out damaged). */
    forget?(id: string): Promise<void>;
  };
}

export interface WorkerHost {
  /** Settles the backend and proves it runs; every later request runs on it. */
  probe(choice: BackendChoice, assetBase: string): Promise<BackendInfo>;
  /** The runtime of the probed backend (rejects with INTERNAL before `probe`). */
  runtime(): Promise<HostRuntime>;
  /** The device models are loaded on, from the probed backend. */
  device(): ModelDevice;
  /** One of LinScope's own reference corpora (`bundledReferenceFile`). */
  bundledReference(file: BundledReferenceFile): Promise<ReferenceCorpus>;
  readonly fitStore: ReferenceFitStore;
  /** Pair workers for `threads` cores (`?threads=N`), or the host's default when undefined. */
  pairWorkers(threads: number | undefined): PairWorkers | undefined;
}
