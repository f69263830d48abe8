/**
 * Node's door to the runtime (the CLI, tests, benchmarks): onnxruntime-node, wrapped so every session
 * declares the hidden states, installed for transformers.js before it is imported.
 */
import { open, readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import {
  AugmentingRuntime,
  installForTransformers,
  type LinScopeRuntime,
  type ModelFileAccess,
  type OrtModule,
} from './augmentingRuntime';

/**
 * A file's bytes in one buffer with `room` spare bytes after them. One allocation, filled in place:
 * `readFile` reads a large file in chunks and joins them, twice the file in memory for a moment.
 */
async function readWithRoom(path: string, room: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const buffer = new Uint8Array(new ArrayBuffer(size + room));
    let at = 0;
    while (at < size) {
      const { bytesRead } = await file.read(buffer, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return buffer.subarray(0, at);
  } finally {
    await file.close();
  }
}

/** transformers.js hands onnxruntime-node file paths; LinScope reads them to augment the graph. */
const nodeFiles: ModelFileAccess = {
  read: readWithRoom,
  async readExternal(modelPath, location) {
    const dir = dirname(modelPath);
    const full = resolve(dir, location);
    if (relative(dir, full).startsWith('..'))
      throw new Error(`external data "${location}" lies outside the model folder`);
    return new Uint8Array(await readFile(full));
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

/** onnxruntime-node's version, as a result records it. */
export function nodeOrtVersion(): string {
  return ortNode.env.versions.node ?? ortNode.env.versions.common ?? 'unknown';
}
