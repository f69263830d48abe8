/**
 * A `WorkerHost` for Node, so the worker's handlers and message loop run in-process in tests:
 * onnxruntime-node on the CPU, the models LinScope ships (`public/models/`), the bundled reference
 * corpus from disk, fits in memory. A model folder the user opens is only recorded here (loading
 * one from memory is the browser host's job and is covered by e2e/engine.spec.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitCorpus } from '../../src/job/corpus';
import { MemoryFitStore } from '../../src/job/fitStore';
import type { ModelFiles } from '../../src/model/modelFileCache';
import { nodeRuntime } from '../../src/model/nodeRuntime';
import type { HostRuntime, WorkerHost } from '../../src/worker/host';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MODELS_DIR = join(ROOT, 'public/models');
const CORPORA = join(ROOT, 'public/corpus');

export interface NodeWorkerHost extends WorkerHost {
  /** Folders registered through `open-folder` / `open-llama2c`, by id. */
  readonly opened: Map<string, ModelFiles>;
}

export function nodeWorkerHost(): NodeWorkerHost {
  const opened = new Map<string, ModelFiles>();
  let probed = false;
  return {
    opened,
    async probe() {
      probed = true;
      const ortVersion = (await import('onnxruntime-node')).env.versions.node ?? 'unknown';
      return {
        backend: 'wasm',
        threads: 1,
        crossOriginIsolated: false,
        adapter: null,
        softwareAdapter: false,
        webgpuUnavailableReason: 'Node runs onnxruntime on the CPU.',
        skippedSoftwareAdapter: null,
        ortVersion,
      };
    },
    async runtime(): Promise<HostRuntime> {
      if (!probed) throw new Error('not probed');
      const rt = await nodeRuntime();
      rt.transformers.env.allowLocalModels = true;
      rt.transformers.env.localModelPath = `${MODELS_DIR}/`;
      return {
        ...rt,
        files: {
          register(name, files) {
            const id = `local/${name}`;
            opened.set(id, files);
            return id;
          },
        },
      };
    },
    device: () => 'cpu',
    async bundledReference(file) {
      return {
        source: 'bundled',
        name: file,
        texts: splitCorpus(readFileSync(join(CORPORA, file), 'utf8'), file),
      };
    },
    fitStore: new MemoryFitStore(),
    pairWorkers: () => undefined,
  };
}
