/**
 * Node: a transformers.js cache that answers look-ups of a local model's weight files with their
 * paths, so that transformers.js never opens them.
 *
 * transformers.js (Node) opens every local file it looks at as a response whose stream starts
 * reading the whole file into memory at once, whether or not anyone reads it. For the weights
 * (`.onnx`, `.onnx_data`) it only wants the path, which it hands to onnxruntime; yet it opens the
 * file once to load it and once more to learn its size for progress events (the second only when
 * a progress callback is given). For a 500 MB model that was up to a gigabyte of garbage, alive
 * while LinScope read the graph and onnxruntime built the session (docs/performance.md, "Memory").
 *
 * transformers.js asks its cache for a file under the local path, then under the address it would
 * download it from (`env.remoteHost` + `env.remotePathTemplate` + file), and at the end asks again
 * under the key that answered. Only addresses are answered here, with the local path where that file
 * exists under `env.localModelPath`, so both look-ups see the same answer. Anything else (config.json,
 * the tokenizer, a missing file) is not in this cache, and transformers.js reads it as it would
 * without one. Use it only where models come from a local folder: it replaces the file cache
 * transformers.js keeps Hub downloads in.
 */
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/** The part of transformers.js's `env` this cache reads and sets. */
export interface TransformersFileEnv {
  localModelPath: string;
  remoteHost: string;
  remotePathTemplate: string;
  useCustomCache: boolean;
  customCache: unknown;
}

/** The files onnxruntime gets by path: a graph and its external data (`model.onnx_data`, `_data_1` ...). */
const WEIGHT_FILE = /\.onnx(_data(_\d+)?)?$/;

function escapeForPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Where the file a download address names would be on disk, read through `remoteHost` and
 * `remotePathTemplate` as transformers.js builds such addresses: under `env.localModelPath` for a
 * model id, or the path itself for a model given by its absolute path (whose leading `/` the
 * address drops). Null where the address is not one of them.
 */
export function localPathsOfAddress(address: string, env: TransformersFileEnv): string[] | null {
  const host = env.remoteHost.replace(/\/+$/, '');
  if (!address.startsWith(`${host}/`)) return null;
  const template = env.remotePathTemplate.replace(/^\/+|\/+$/g, '');
  if (!template.includes('{model}')) return null;
  const path = template
    .split(/(\{model\}|\{revision\})/)
    .map((part) => (part === '{model}' ? '(.+?)' : part === '{revision}' ? '[^/]+' : escapeForPattern(part)))
    .join('');
  const found = new RegExp(`^${path}/(.+)$`).exec(address.slice(host.length + 1));
  if (!found) return null;
  const [, model, file] = found;
  return [resolve(env.localModelPath, model, file), resolve('/', model, file)];
}

/** Whether `path` lies inside `folder` (not the folder itself, not above it). */
function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The path transformers.js should be answered with for `key`, or undefined where it reads the file itself. */
export function weightFilePath(key: string, env: TransformersFileEnv): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(key)) return undefined;
  const folder = resolve(env.localModelPath);
  for (const path of localPathsOfAddress(key, env) ?? []) {
    if (!WEIGHT_FILE.test(path) || !isInside(path, folder)) continue;
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      // Not there: the next candidate, or transformers.js's own look-up.
    }
  }
  return undefined;
}

/**
 * Makes transformers.js look weight files up here first (its custom cache): they are answered with
 * their paths and never opened by it. Models must then come from `env.localModelPath`; call
 * `forgetWeightFilesByPath` before loading from the Hub.
 */
export function answerWeightFilesByPath(env: TransformersFileEnv): void {
  env.customCache = {
    match: async (key: string) => weightFilePath(key, env),
    // Nothing is stored: a file this cache does not answer is read from the folder each time.
    put: async () => {},
  };
  env.useCustomCache = true;
}

/** Undoes `answerWeightFilesByPath`: transformers.js keeps its own cache again (Hub downloads). */
export function forgetWeightFilesByPath(env: TransformersFileEnv): void {
  env.useCustomCache = false;
  env.customCache = null;
}
