/**
 * Node's door to the runtime (the CLI, tests, benchmarks): onnxruntime-node, wrapped so every session
 * declares the hidden states, installed for transformers.js before it is imported.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import {
  AugmentingRuntime,
  installForTransformers,
  type LinScopeRuntime,
  type ModelFileAccess,
  type OrtModule,
} from './augmentingRuntime';
import { answerWeightFilesByPath, forgetWeightFilesByPath } from './weightFilesByPath';

/**
 * A file's bytes in one buffer, filled in place: `readFile` reads a large file in chunks and joins
 * them, twice the file in memory for a moment.
 */
async function readWhole(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const buffer = new Uint8Array(size);
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

/**
 * transformers.js hands onnxruntime-node file paths; LinScope reads them to augment the graph, and
 * onnxruntime reads the weights from the file and the external data files beside it.
 */
const nodeFiles: ModelFileAccess = {
  read: readWhole,
  locate: (path) => ({ folder: dirname(resolve(path)), name: basename(path) }),
  readRange: (path, start, end) => {
    let fd: number | null = null;
    try {
      fd = openSync(path, 'r');
      const buffer = new Uint8Array(end - start);
      const read = readSync(fd, buffer, 0, buffer.length, start);
      return buffer.subarray(0, read);
    } catch {
      return null;
    } finally {
      if (fd !== null) closeSync(fd);
    }
  },
  sizeOf: (path) => {
    try {
      const stats = statSync(path);
      return stats.isFile() ? stats.size : null;
    } catch {
      return null;
    }
  },
};

let loaded: Promise<LinScopeRuntime> | null = null;

export function nodeRuntime(): Promise<LinScopeRuntime> {
  loaded ??= (async () => {
    const runtime = new AugmentingRuntime(ortNode as unknown as OrtModule, nodeFiles);
    installForTransformers(runtime);
    const transformers = await import('@huggingface/transformers');
    // A folder on disk can be looked at; a Hub repository only by asking the Hub.
    const modelFileExists = (path: string) =>
      transformers.env.allowRemoteModels === false ? nodeFiles.sizeOf(path) !== null : undefined;
    return { runtime, transformers, modelFileExists };
  })();
  return loaded;
}

/** onnxruntime-node's version, as a result records it. */
export function nodeOrtVersion(): string {
  return ortNode.env.versions.node ?? ortNode.env.versions.common ?? 'unknown';
}

/**
 * Models come from the folders under `parent` (a model id is a folder name there), none from the
 * Hub; transformers.js is given their weight files by path without opening them (weightFilesByPath.ts).
 */
export function readModelsFromFolder(rt: LinScopeRuntime, parent: string): void {
  const { env } = rt.transformers;
  env.localModelPath = parent.endsWith('/') ? parent : `${parent}/`;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  answerWeightFilesByPath(env);
}

/** Models come from the Hub (downloads kept in transformers.js's own file cache), none from a folder. */
export function readModelsFromHub(rt: LinScopeRuntime): void {
  const { env } = rt.transformers;
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  forgetWeightFilesByPath(env);
}
