/**
 * Node's door to the runtime (the CLI, tests, benchmarks): onnxruntime-node, wrapped so every session
 * declares the hidden states, installed for transformers.js before it is imported.
 */
import { mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import {
  AugmentingRuntime,
  installForTransformers,
  type LinScopeRuntime,
  type ModelFileAccess,
  type OrtModule,
} from './augmentingRuntime';

/**
 * transformers.js hands onnxruntime-node a file path. A graph whose weights sit in external data
 * files must stay beside them, so the augmented graph is written to a temporary folder that links to
 * the originals; a self-contained graph is passed as bytes.
 */
const nodeFiles: ModelFileAccess = {
  read: async (path) => new Uint8Array(await readFile(path)),
  async materialize(augmented, path, graph) {
    if (!graph.usesExternalData) return augmented;
    const dir = await mkdtemp(join(tmpdir(), 'linscope-graph-'));
    const source = dirname(path);
    for (const name of await readdir(source)) {
      if (name !== basename(path)) await symlink(join(source, name), join(dir, name));
    }
    const target = join(dir, basename(path));
    await writeFile(target, augmented);
    return target;
  },
};

let loaded: Promise<LinScopeRuntime> | null = null;

export function nodeRuntime(): Promise<LinScopeRuntime> {
  loaded ??= (async () => {
    const runtime = new AugmentingRuntime(ortNode as unknown as OrtModule, nodeFiles);
    installForTransformers(runtime);
    const transformers = await import('@huggingface/transformers');
    return { runtime, transformers };
  })();
  return loaded;
}
