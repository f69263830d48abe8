/**
 * `.linscope.json`: the full result (exact numbers) and the state, for what does not fit in a
 * link. The app opens it by drag-and-drop or file picker; a plain result JSON (`export-json`, the
 * CLI's `--out`) opens too, its text rebuilt from its tokens. Everything is checked before the
 * charts see it: a file is as untrusted as a link.
 */

import { wellFormedComposition } from '../job/referenceComposition';
import { type LinScopeResult, RESULT_SCHEMA } from '../job/result';
import { checkedCalibration } from './calibrationField';
import { isRecord } from './isRecord';
import { checkLinearize, LinearizeInvalid } from './linearizeCheck';
import { checkLogitLens, LogitLensInvalid } from './logitLensCheck';
import { RESULT_LIMITS } from './permalinkResult';
import { parseShareState, type ShareState, shareStateJson } from './permalinkState';
import { appModelId } from './resultModelId';
import { resultRangeProblem } from './resultRanges';
import { inputFromTokens, reconcileStateWithResult } from './stateResultAgreement';

export const LINSCOPE_FILE_SCHEMA = 'linscope.share/v1';
/** Largest file opened (a 200,000-token heatmap of 30 layers is about 60 MB of JSON). */
export const MAX_LINSCOPE_FILE_BYTES = 64 * 1024 * 1024;

export type FileParse =
  | { ok: true; state: ShareState; result: LinScopeResult; notes: string[] }
  | { ok: false; message: string };

export function linscopeFileText(state: ShareState, result: LinScopeResult): string {
  return `${JSON.stringify({ schema: LINSCOPE_FILE_SCHEMA, state: shareStateJson(state), result })}\n`;
}

/** A file name for the download: the model's name and the date. */
export function linscopeFileName(modelId: string, date = new Date()): string {
  const name =
    modelId
      .split('/')
      .pop()
      ?.replace(/[^A-Za-z0-9._-]+/g, '-') || 'model';
  return `${name}-${date.toISOString().slice(0, 10)}.linscope.json`;
}

class Invalid extends Error {}

function need(ok: boolean, what: string): void {
  if (!ok) throw new Invalid(what);
}
const isInt = (v: unknown, max = 2 ** 31): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumOrNull = (v: unknown): v is number | null => v === null || isNum(v);
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** Every field the charts and exports read, with its type and the shapes agreeing; throws `Invalid`. */
function checkResult(v: unknown): LinScopeResult {
  need(isRecord(v), 'the result is not an object');
  const r = v as Record<string, unknown>;
  need(r.schema === RESULT_SCHEMA, `the result's schema is not ${RESULT_SCHEMA}`);
  const m = r.model as Record<string, unknown>;
  need(isRecord(m) && typeof m.id === 'string' && typeof m.dtype === 'string', 'model is malformed');
  need(
    isInt(m.layers, RESULT_LIMITS.layers) && isInt(m.hidden, RESULT_LIMITS.hidden),
    'model sizes are out of range',
  );
  const tokens = r.tokens;
  need(Array.isArray(tokens) && tokens.length <= RESULT_LIMITS.tokens, 'tokens are malformed or too many');
  for (const t of tokens as unknown[])
    need(isRecord(t) && isInt(t.id) && typeof t.text === 'string' && isInt(t.doc), 'a token is malformed');
  const T = (tokens as unknown[]).length;
  const layers = r.layers;
  need(Array.isArray(layers) && layers.length <= RESULT_LIMITS.layers, 'layers are malformed');
  for (const l of layers as unknown[]) {
    need(isRecord(l), 'a layer is malformed');
    const x = l as Record<string, unknown>;
    need(
      Array.isArray(x.pair) && x.pair.length === 2 && x.pair.every((p) => isInt(p)),
      'a layer pair is malformed',
    );
    for (const k of ['linearity', 'linearityNoResidual', 'chanceFloor', 'cosine', 'updateRatio', 'rank'])
      need(isNumOrNull(x[k] ?? null), `a layer's ${k} is not a number`);
    need(isInt(x.n) && isInt(x.d), "a layer's n or d is malformed");
    need(isStrOrNull(x.reason ?? null), "a layer's reason is malformed");
    if (x.heldOut !== null && x.heldOut !== undefined) {
      const h = x.heldOut as Record<string, unknown>;
      need(
        isRecord(h) && (h.source === 'reference' || h.source === 'split'),
        'a held-out score is malformed',
      );
      need(
        isNumOrNull(h.linearity) && isNumOrNull(h.linearityNoResidual),
        'a held-out score is not a number',
      );
    }
  }
  const L = (layers as unknown[]).length;
  // The rows must be the model's pairs in order: the charts key and label rows by their pairs.
  need(L === m.layers, `it has ${L} layer pairs, and its model has ${m.layers} layers`);
  (layers as Record<string, unknown>[]).forEach((l, k) => {
    const [a, b] = l.pair as number[];
    need(a === k && b === k + 1, `layer row ${k} is for pair (${a}, ${b}), not (${k}, ${k + 1})`);
    need(l.d === m.hidden, `layer row ${k} has width d = ${l.d}, and its model's hidden size is ${m.hidden}`);
  });
  need(Array.isArray(r.states), 'states are malformed');
  need(
    (r.states as unknown[]).length === L + 1,
    `it has ${(r.states as unknown[]).length} states, and ${L} layers need ${L + 1}`,
  );
  for (const s of r.states as unknown[])
    need(
      isRecord(s) && isNumOrNull(s.anisotropy ?? null) && isNumOrNull(s.intrinsicDimension ?? null),
      'a state is malformed',
    );
  need(
    Array.isArray(r.windows) && Array.isArray(r.excludedTokens),
    'windows or excluded tokens are malformed',
  );
  need(
    (r.excludedTokens as unknown[]).every((t) => isInt(t, T - 1)),
    'an excluded token is out of range',
  );
  for (const w of r.windows as unknown[])
    need(isRecord(w) && isInt(w.doc) && isInt(w.start, T) && isInt(w.end, T), 'a window is malformed');
  need(isRecord(r.settings), 'settings are malformed');
  const settings = r.settings as Record<string, unknown>;
  need(
    typeof settings.excludeBos === 'boolean' && typeof settings.excludeMassive === 'boolean',
    'settings.excludeBos or settings.excludeMassive is not true or false',
  );
  need(
    isNum(settings.heldOutFraction) && settings.heldOutFraction >= 0 && settings.heldOutFraction < 1,
    'settings.heldOutFraction is not a share below 1',
  );
  need(isInt(settings.windowLength), 'settings.windowLength is not a count');
  if (r.perToken !== null && r.perToken !== undefined) {
    const p = r.perToken as Record<string, unknown>;
    need(isRecord(p), 'perToken is malformed');
    const rows = (name: string, check: (x: unknown) => boolean) => {
      const a = p[name];
      need(Array.isArray(a) && a.length === L, `perToken.${name} does not have one row per layer pair`);
      for (const row of a as unknown[])
        need(
          Array.isArray(row) && row.length === T && row.every(check),
          `perToken.${name} has a malformed row`,
        );
    };
    rows('nonlinearity', (x) => x === null || (isNum(x) && x >= 0));
    rows('flash', (x) => x === 0 || x === 1);
    need(
      Array.isArray(p.flashThreshold) && p.flashThreshold.length === L && p.flashThreshold.every(isNumOrNull),
      'perToken.flashThreshold is malformed',
    );
    const ref = p.reference as Record<string, unknown>;
    need(
      isRecord(ref) && typeof ref.name === 'string' && isInt(ref.tokens) && isNum(ref.quantile),
      'perToken.reference is malformed',
    );
    // The reference's composition and the calibration are optional: malformed ones are dropped.
    const composition = wellFormedComposition(ref);
    for (const key of ['documents', 'corpusDocuments', 'sampling', 'heldOut']) delete ref[key];
    Object.assign(ref, composition);
    const calibration = p.calibration === undefined ? null : checkedCalibration(p.calibration, L);
    if (calibration) p.calibration = calibration;
    else delete p.calibration;
  } else {
    r.perToken = null;
  }
  const outOfRange = resultRangeProblem(r as unknown as LinScopeResult);
  need(outOfRange === null, outOfRange ?? '');
  return r as unknown as LinScopeResult;
}

/**
 * The result's optional sections checked in place: a malformed one is dropped with a note, and the
 * rest of the result still opens (the block-replacement experiment was computed apart from the
 * scores; the logit lens is a view of the same states).
 */
function sectionNotes(result: LinScopeResult): string[] {
  return [...linearizeNotes(result), ...logitLensNotes(result)];
}

function logitLensNotes(result: LinScopeResult): string[] {
  if (result.logitLens === undefined || result.logitLens === null) return [];
  try {
    const { layers, vocab } = result.model;
    result.logitLens = checkLogitLens(
      result.logitLens,
      layers + 1,
      result.tokens.length,
      isInt(vocab) ? vocab : 0,
    );
    return [];
  } catch (error) {
    if (!(error instanceof LogitLensInvalid)) throw error;
    delete result.logitLens;
    return [`The logit lens was malformed (${error.message}) and was left out.`];
  }
}

function linearizeNotes(result: LinScopeResult): string[] {
  if (result.linearize === undefined || result.linearize === null) {
    delete result.linearize;
    return [];
  }
  try {
    result.linearize = checkLinearize(result.linearize, result.model.layers, result.tokens.length);
    return [];
  } catch (error) {
    if (!(error instanceof LinearizeInvalid)) throw error;
    delete result.linearize;
    return [`The block-replacement results were malformed (${error.message}) and were left out.`];
  }
}

/**
 * A bare result (a result JSON, or a `.linscope.json` file's result) checked like a file's, with
 * its block-replacement section checked or dropped with a note. For views that need the result
 * only (the compare view): no text is needed, so a `linscope reduce` result (no tokens) opens too.
 */
export function parseResultValue(
  value: unknown,
): { ok: true; result: LinScopeResult; notes: string[] } | { ok: false; message: string } {
  try {
    const result = checkResult(value);
    return { ok: true, result, notes: sectionNotes(result) };
  } catch (error) {
    if (error instanceof Invalid)
      return { ok: false, message: `This LinScope file is damaged: ${error.message}.` };
    return { ok: false, message: 'This file could not be read.' };
  }
}

/** A parsed `.linscope.json` (or a plain result JSON), or why it cannot be opened. Never throws. */
export function parseLinScopeFile(text: string): FileParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      message: 'This file is not JSON: LinScope opens .linscope.json files and result JSON.',
    };
  }
  return parseLinScopeValue(value);
}

/** The same for already-parsed data (IndexedDB records). */
export function parseLinScopeValue(value: unknown): FileParse {
  try {
    if (isRecord(value) && value.schema === LINSCOPE_FILE_SCHEMA) {
      const parsed = parseShareState(value.state);
      if (!parsed.ok) return parsed;
      const result = checkResult(value.result);
      // Where the file's state and its result disagree, the result (what was computed) wins.
      const agreed = reconcileStateWithResult(parsed.state, result);
      return {
        ok: true,
        state: agreed.state,
        result,
        notes: [...parsed.notes, ...agreed.notes, ...sectionNotes(result)],
      };
    }
    if (isRecord(value) && value.schema === RESULT_SCHEMA) {
      const result = checkResult(value);
      // A CLI result names a folder path; as an app model it is one opened from disk.
      const parsed = parseShareState({
        model: {
          id: appModelId(result.model.id),
          revision: result.model.revision,
          dtype: result.model.dtype,
        },
        settings: { excludeBos: result.settings.excludeBos, excludeMassive: result.settings.excludeMassive },
        reference: result.perToken ? 'bundled' : 'none',
        input: inputFromTokens(result),
      });
      if (!parsed.ok) return parsed;
      return {
        ok: true,
        state: parsed.state,
        result,
        notes: [
          ...parsed.notes,
          'A result JSON holds no settings or text: the text was rebuilt from its tokens.',
          ...sectionNotes(result),
        ],
      };
    }
    if (isRecord(value) && typeof value.schema === 'string' && value.schema.startsWith('linscope.share/'))
      return { ok: false, message: `This file was made by a newer LinScope (${value.schema.slice(0, 40)}).` };
    return {
      ok: false,
      message: 'This JSON is not a LinScope file (no linscope.share/v1 or linscope.result/v1 schema).',
    };
  } catch (error) {
    if (error instanceof Invalid)
      return { ok: false, message: `This LinScope file is damaged: ${error.message}.` };
    return { ok: false, message: 'This file could not be read.' };
  }
}
