/**
 * A reference fit file (`linscope analyze --save-fit`, `fitFile.ts`) opened in the page: checked
 * whole (format, version, shapes, every number finite, the model's width and depth), then against
 * what the page's next analysis would look up (`analysisFitKeyParts`), part by part; a fit that
 * matches is put in the page's fit store under that same key, so the next Analyze skips the
 * reference run and fit. The device is the one part allowed to differ (a fit made by the command
 * line on the CPU serves the page's WASM or WebGPU run): the states differ there by rounding only.
 * Every refusal names the file, what is wrong or which part differs, and what to do.
 */
import { LinScopeError } from '../errors';
import {
  fitsWeights,
  isFittedReference,
  type ReferenceFitKeyParts,
  type ReferenceFitStore,
} from '../job/fitStore';
import type { FittedReference } from '../job/fittedReference';
import { referenceFitKey } from '../job/referenceFit';
import type { ModelConfig } from '../model/config';
import { fileSize } from './fileSize';
import { FIT_FORMAT, readFitFile } from './fitFile';
import { safetensorsMetadata } from './safetensors';

/** Largest fit file the page opens (GPT-2 small's is ~55 MB; 1 GB is a 24-layer model of width 2,300). */
export const MAX_FIT_FILE_BYTES = 1024 ** 3;

/** What the page's next analysis would look up, and the model's config to check the maps' shapes against. */
export interface FitImportTarget {
  readonly parts: ReferenceFitKeyParts;
  readonly config: Pick<ModelConfig, 'hidden' | 'layers'>;
  /**
   * The fingerprint of the weights of the model the fit is for, where the page has it loaded
   * (src/model/weightsFingerprint.ts); undefined where it is not loaded yet, and the analysis that
   * loads it compares them (`setAsideFitNote`).
   */
  readonly weights?: string;
}

/** The parts of a model key (`modelKey`: id, revision, dtype, device). */
function modelParts(model: string): { id: string; revision: string; dtype: string; device: string } {
  const fields = model.split('|');
  const device = fields.length >= 4 ? (fields.pop() ?? '') : '';
  const dtype = fields.length >= 3 ? (fields.pop() ?? '') : '';
  const revision = fields.length >= 2 ? (fields.pop() ?? '') : '';
  return { id: fields.join('|'), revision, dtype, device };
}

/** Whether the first bytes of a file (its safetensors header) say it is a LinScope fit file. */
export function isFitFileHeader(bytes: Uint8Array): boolean {
  return safetensorsMetadata(bytes)?.format?.startsWith('linscope.fit/') === true;
}

/** The window length in a sampling part ("... in windows of 256"), or null. */
const windowOf = (sampling: string) => /in windows of (\d+)$/.exec(sampling)?.[1] ?? null;
const withoutWindow = (sampling: string) => sampling.replace(/ in windows of \d+$/, '');

/**
 * Why a fit made for `found` cannot serve the page's next analysis (`wanted`): the first part that
 * differs, what each side has, and what to do; null when every part but the device is the same.
 */
export function pageFitMismatch(
  name: string,
  found: ReferenceFitKeyParts,
  wanted: ReferenceFitKeyParts,
): string | null {
  const f = modelParts(found.model);
  const w = modelParts(wanted.model);
  const remake = 'or make the fit again with linscope analyze --save-fit for what the page has selected';
  if (f.id !== w.id || f.revision !== w.revision)
    return `${name} was fitted for the model ${f.id} (revision ${f.revision}), and the page has ${w.id} (revision ${w.revision}) selected: choose ${f.id} first, then open the file again.`;
  if (found.dtype !== wanted.dtype || f.dtype !== w.dtype)
    return `${name} was fitted for ${f.id} in ${found.dtype}, and the page has ${wanted.dtype} weights selected: choose ${found.dtype} first, then open the file again (${remake}).`;
  if (found.reference !== wanted.reference)
    return `${name} was fitted on the reference corpus ${found.reference}, and the page's reference is ${wanted.reference}: choose the same reference in the settings, ${remake}.`;
  if (found.content !== wanted.content)
    return `${name} was fitted on another text of the reference ${found.reference} (content ${found.content}; the page's is ${wanted.content}): open the same reference file, ${remake}.`;
  if (found.sampling !== wanted.sampling) {
    const fw = windowOf(found.sampling);
    const ww = windowOf(wanted.sampling);
    if (fw !== ww && withoutWindow(found.sampling) === withoutWindow(wanted.sampling))
      return `${name} was fitted in windows of ${fw} tokens, and the page runs ${w.id} in windows of ${ww}: set the window length to ${fw} (the command line's --window), ${remake}.`;
    return `${name} was fitted with another reference sampling (${found.sampling}), and the page samples ${wanted.sampling}: ${remake}.`;
  }
  if (found.settings !== wanted.settings)
    return `${name} was fitted with the settings ${found.settings}, and the page has ${wanted.settings}: set "Leave each document's first token (BOS) out" as the fit had it (the command line's --exclude-bos), ${remake}.`;
  return null;
}

const notAFit = (name: string, why: string) =>
  new LinScopeError('BAD_INPUT', `${name} is not a usable LinScope fit file: ${why}.`);

/** Refuses a fit file too big for the page before it is read; an empty one too. */
export function checkFitFileSize(name: string, bytes: number): void {
  if (bytes === 0) throw notAFit(name, 'it is empty (0 bytes)');
  if (bytes > MAX_FIT_FILE_BYTES)
    throw notAFit(
      name,
      `it is ${fileSize(bytes)}, more than the ${fileSize(MAX_FIT_FILE_BYTES)} the page opens`,
    );
}

/** The index of the first value of `values` that is not finite, or -1. */
function firstNonFinite(values: Float64Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/**
 * The fit in `bytes`, checked whole and against `target`; throws BAD_INPUT naming the file and what
 * is wrong (not a fit, another version, damaged, other shapes, a non-finite number, another model).
 */
export function checkFitFile(
  bytes: Uint8Array,
  name: string,
  target: FitImportTarget,
): { fitted: FittedReference; found: ReferenceFitKeyParts } {
  checkFitFileSize(name, bytes.byteLength);
  const format = safetensorsMetadata(bytes)?.format;
  if (format?.startsWith('linscope.fit/') && format !== FIT_FORMAT)
    throw notAFit(
      name,
      `it is ${format}, and this LinScope reads ${FIT_FORMAT}: make it again with this version's linscope analyze --save-fit`,
    );
  const { parts: found, fitted } = readFitFile(bytes, name);
  if (!isFittedReference(fitted))
    throw notAFit(
      name,
      'its maps or what they were fitted on are damaged (a count, shape or number is not what a fit holds)',
    );
  const { fit } = fitted;
  fit.pairs.forEach((pair, l) => {
    if (pair === null) return;
    for (const [array, values] of [
      ['meanX', pair.map.meanX],
      ['meanY', pair.map.meanY],
      ['weights', pair.map.weights],
    ] as const) {
      const i = firstNonFinite(values);
      if (i >= 0) throw notAFit(name, `layer pair ${l}'s ${array} holds ${values[i]} at index ${i}`);
    }
  });
  const mismatch = pageFitMismatch(name, found, target.parts);
  if (mismatch) throw new LinScopeError('BAD_INPUT', mismatch);
  if (!fitsWeights(fitted, target.weights))
    throw new LinScopeError(
      'BAD_INPUT',
      `${name} was fitted for other weights of ${modelParts(found.model).id} (fingerprint ${fitted.weights}; the loaded model's are ${target.weights}: another checkpoint or fine-tune under the same name), so it is not used. Open the fit saved for these weights, or press Analyze to fit the reference for them.`,
    );
  const { hidden, layers } = target.config;
  if (hidden !== null && fit.d !== hidden)
    throw notAFit(name, `its maps are ${fit.d} x ${fit.d}, and the model's hidden width is ${hidden}`);
  if (layers !== null && fit.pairs.length !== layers)
    throw notAFit(name, `it has ${fit.pairs.length} layer pairs, and the model has ${layers}`);
  return { fitted, found };
}

/**
 * Opens a fit file for the page's next analysis: checked (`checkFitFile`), then stored under the key
 * that analysis looks up. Returns what the page says.
 */
export async function importFitFile(
  bytes: Uint8Array,
  name: string,
  target: FitImportTarget,
  store: ReferenceFitStore,
): Promise<string> {
  const { fitted, found } = checkFitFile(bytes, name, target);
  const { parts } = target;
  // Marked as the user's: set aside at analysis time if it turns out made for other weights.
  await store.put(referenceFitKey(parts), { ...fitted, openedFrom: name }, parts);
  const { id, device } = modelParts(parts.model);
  const madeOn = modelParts(found.model).device;
  const pairs = fitted.fit.pairs.filter((p) => p !== null).length;
  const deviceNote =
    madeOn !== device
      ? ` It was made on ${madeOn} and the page runs ${device}: the model's states differ there by rounding only.`
      : '';
  return `Reference fit loaded from ${name}: ${pairs} layer pair maps of ${id} (${parts.dtype}) fitted on ${fitted.composition.tokens.toLocaleString('en')} tokens of ${parts.reference}; the next analysis of ${id} uses it instead of running the reference.${deviceNote}`;
}

/**
 * What the page says when a fit opened from a file is set aside for the model's weights: until the
 * model is loaded the weights' fingerprints cannot be compared, so a fit opened before is taken, and
 * the analysis (or the fit made ahead) that loads the model finds it made for other weights and
 * fits the reference again. Null for a fit the page made itself (replaced without a word, as the
 * command line's cache is).
 */
export function setAsideFitNote(
  stored: Pick<FittedReference, 'openedFrom' | 'weights'>,
  weights: string,
  modelId: string,
): string | null {
  if (stored.openedFrom === undefined) return null;
  return `The fit opened from ${stored.openedFrom} was made for other weights of ${modelId} (fingerprint ${stored.weights ?? 'unknown'}; this model's are ${weights}: another checkpoint or fine-tune under the same name), so it is not used: the reference is fitted again for these weights.`;
}

/** Largest safetensors header read to tell a fit file from other safetensors files. */
const MAX_HEADER_BYTES = 64 * 1024 ** 2;

/**
 * Whether a chosen file is a LinScope fit file, from its header alone (the maps are not read): a
 * `.safetensors` file whose metadata names a `linscope.fit/` format. Anything else is left to the
 * other imports, which say what they make of it.
 */
export async function isFitFileBlob(file: {
  name: string;
  size: number;
  slice: Blob['slice'];
}): Promise<boolean> {
  if (!/\.safetensors$/i.test(file.name) || file.size < 8) return false;
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  const length = new DataView(head.buffer).getBigUint64(0, true);
  if (length > BigInt(Math.min(MAX_HEADER_BYTES, file.size - 8))) return false;
  return isFitFileHeader(new Uint8Array(await file.slice(0, 8 + Number(length)).arrayBuffer()));
}
