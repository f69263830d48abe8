/**
 * `--save-fit` and `--load-fit`: a reference fit store over files. Loading hands the job the file's
 * fit only when it was made for exactly this run's key parts (model, dtype, reference content and
 * sampling, settings) and refuses it otherwise, naming the first part that differs; saving writes
 * the fit the job made (or loaded) to a file.
 */
import { basename } from 'node:path';
import { LinScopeError } from '../src/errors';
import { MemoryFitStore, type ReferenceFitKeyParts, type ReferenceFitStore } from '../src/job/fitStore';
import type { FittedReference } from '../src/job/fittedReference';
import { fitFileMismatch, readFitFile, writeFitFile } from '../src/share/fitFile';
import { readBinaryFile } from './files';

export interface FitFiles {
  readonly load: string | null;
  readonly save: string | null;
  /**
   * The model's id as the job knows it (a folder's last part), and as the file names it (the
   * folder's last two parts, `org/name`, as stats files do): the name the page gives that model, so
   * the page can open the file.
   */
  readonly modelName?: { readonly job: string; readonly file: string };
}

/** `parts` with the model's id renamed from `from` to `to` (the model part is `id|revision|dtype|device`). */
function renamed(parts: ReferenceFitKeyParts, from: string, to: string): ReferenceFitKeyParts {
  return parts.model.startsWith(`${from}|`)
    ? { ...parts, model: `${to}${parts.model.slice(from.length)}` }
    : parts;
}

/** A store that reads `files.load` (checked against the key) and writes to `files.save`. */
export function fitFileStore(
  files: FitFiles,
  write: (path: string, bytes: Uint8Array) => void,
): ReferenceFitStore {
  const memory = new MemoryFitStore();
  const asFileNames = (parts: ReferenceFitKeyParts) =>
    files.modelName ? renamed(parts, files.modelName.job, files.modelName.file) : parts;
  let loaded: { parts: ReferenceFitKeyParts; fitted: FittedReference } | null = null;
  const readLoad = (path: string) => {
    const file = loaded ?? readFitFile(new Uint8Array(readBinaryFile(path, 'fit file')), basename(path));
    loaded = file;
    return file;
  };
  const save = (fitted: FittedReference, parts: ReferenceFitKeyParts | undefined) => {
    if (files.save === null) return;
    if (!parts) throw new LinScopeError('INTERNAL', 'a fit to save came without its key parts');
    write(files.save, writeFitFile(asFileNames(parts), fitted));
  };
  return {
    async get(key, parts) {
      const hit = await memory.get(key);
      if (hit || files.load === null) return hit;
      const file = readLoad(files.load);
      if (!parts) throw new LinScopeError('INTERNAL', 'a fit was asked for without its key parts');
      const mismatch = fitFileMismatch(basename(files.load), file.parts, asFileNames(parts));
      if (mismatch) throw new LinScopeError('BAD_INPUT', mismatch);
      await memory.put(key, file.fitted);
      save(file.fitted, parts);
      return file.fitted;
    },
    async put(key, fit, parts) {
      await memory.put(key, fit);
      save(fit, parts);
    },
  };
}
