/**
 * What a permalink (or a `.linscope.json` file, or a remembered analysis) says about the inputs:
 * model, weights, settings, reference choice, text, focused pair. Parsed field by field as in
 * Perfetto's state schema: a bad optional field falls back to its default with a note; only a
 * missing model or text makes the state meaningless.
 */

import { splitCorpus } from '../job/corpus';
import { type AnalysisSettings, DEFAULT_SETTINGS } from '../job/settings';
import { CATALOG, isHubId } from '../model/catalog';
import { isModelDtype, type ModelDtype } from '../model/config';
import { isRecord } from './isRecord';

/** What the per-token maps were fitted on. A user's own corpus cannot travel: only its name does. */
export type ShareReference =
  | { kind: 'bundled' }
  | { kind: 'none' }
  /** The model's own seeded samples (`ModelTextReference`): a re-run writes the same ones. */
  | { kind: 'model' }
  | { kind: 'user'; name: string };

export interface ShareState {
  model: { id: string; revision: string; dtype: ModelDtype };
  settings: AnalysisSettings;
  reference: ShareReference;
  /** The text as typed; `corpus`: paragraphs separated by blank lines are separate documents. */
  input: { text: string; corpus: boolean };
  /** The focused layer pair, or null. */
  focusLayer: number | null;
}

/** What a link that leaves a setting out means: the worker's own defaults. */
export const SHARE_DEFAULT_SETTINGS: Readonly<AnalysisSettings> = DEFAULT_SETTINGS;

export type StateParse = { ok: true; state: ShareState; notes: string[] } | { ok: false; message: string };

/** Longest text a shared state may hold (a long corpus belongs in a `.linscope.json` file). */
export const MAX_SHARED_TEXT_CHARS = 1_000_000;
const MAX_NAME_CHARS = 200;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;

/** Where an id points, as far as a link can tell. */
export function sharedModelKind(id: string): 'listed' | 'local' | 'unlisted' {
  if (CATALOG.some((m) => m.id === id)) return 'listed';
  return id.startsWith('local/') ? 'local' : 'unlisted';
}

/** The documents an analysis of `input` runs on, exactly as the app splits them (empty ones dropped). */
export function shareDocuments(input: ShareState['input']): string[] {
  const docs = input.corpus ? splitCorpus(input.text, 'corpus.txt') : [input.text];
  return docs.filter((t) => t.trim().length > 0);
}

/** The state as plain JSON (keys spelled out: deflate makes them nearly free). */
export function shareStateJson(state: ShareState): Record<string, unknown> {
  return {
    model: { ...state.model },
    settings: { ...state.settings },
    reference:
      state.reference.kind === 'user' ? { kind: 'user', name: state.reference.name } : state.reference.kind,
    input: { text: state.input.text, corpus: state.input.corpus },
    focusLayer: state.focusLayer,
  };
}

/** Each setting with its check; a failing one keeps the default. */
const SETTING_CHECKS: { [K in keyof AnalysisSettings]: (v: unknown) => v is AnalysisSettings[K] } = {
  excludeBos: (v): v is boolean => typeof v === 'boolean',
  excludeMassive: (v): v is boolean => typeof v === 'boolean',
  heldOutFraction: (v): v is number => typeof v === 'number' && v >= 0 && v <= 0.9,
  maxWindow: (v): v is number => Number.isInteger(v) && (v as number) >= 2 && (v as number) <= 1_000_000,
  flashQuantile: (v): v is number => typeof v === 'number' && v >= 0.5 && v < 1,
  intrinsicDimension: (v): v is boolean => typeof v === 'boolean',
};

function parseSettings(value: unknown, notes: string[]): AnalysisSettings {
  const settings: AnalysisSettings = { ...SHARE_DEFAULT_SETTINGS };
  if (value === undefined) return settings;
  if (!isRecord(value)) {
    notes.push('The link’s settings were unreadable; the defaults are used.');
    return settings;
  }
  const bad: string[] = [];
  for (const key of Object.keys(SETTING_CHECKS) as (keyof AnalysisSettings)[]) {
    const v = value[key];
    if (v === undefined) continue;
    if (SETTING_CHECKS[key](v)) (settings as unknown as Record<string, unknown>)[key] = v;
    else bad.push(key);
  }
  if (bad.length > 0)
    notes.push(`Setting${bad.length > 1 ? 's' : ''} ${bad.join(', ')} out of range; the default is used.`);
  return settings;
}

function parseReference(value: unknown, notes: string[]): ShareReference {
  if (value === undefined || value === 'bundled') return { kind: 'bundled' };
  if (value === 'none') return { kind: 'none' };
  if (value === 'model') return { kind: 'model' };
  if (isRecord(value) && value.kind === 'user' && typeof value.name === 'string') {
    const name = value.name.slice(0, MAX_NAME_CHARS);
    notes.push(
      `The per-token maps were fitted on the sender’s own corpus “${name}”, which a link cannot carry. ` +
        'A re-run here uses LinScope’s corpus unless you load the same file under Settings.',
    );
    return { kind: 'user', name };
  }
  notes.push('The link’s reference choice was unreadable; LinScope’s corpus is used.');
  return { kind: 'bundled' };
}

/** Parse a shared state from JSON-like data: field by field, never throwing. */
export function parseShareState(value: unknown): StateParse {
  if (!isRecord(value)) return { ok: false, message: 'The link holds no LinScope state.' };
  const notes: string[] = [];
  const model = value.model;
  if (!isRecord(model) || typeof model.id !== 'string' || model.id.length === 0)
    return { ok: false, message: 'The link names no model.' };
  const id = model.id;
  // Models opened from disk have `local/<name>` ids, which pass this check too.
  if (!isHubId(id))
    return {
      ok: false,
      message: `The link names a model id LinScope does not accept (“${id.slice(0, 80)}”). Model ids look like owner/name.`,
    };
  const kind = sharedModelKind(id);
  if (kind === 'local')
    notes.push(`${id} was opened from the sender’s disk: to re-run, open the same model files here.`);
  else if (kind === 'unlisted')
    notes.push(
      `${id} is not one of LinScope’s listed models. Nothing is downloaded for it unless you agree: LinScope asks first.`,
    );
  let revision = 'main';
  if (model.revision !== undefined) {
    if (typeof model.revision === 'string' && REVISION.test(model.revision)) revision = model.revision;
    else notes.push('The model revision was unreadable; “main” is used.');
  }
  let dtype: ModelDtype = 'fp32';
  if (model.dtype !== undefined) {
    if (isModelDtype(model.dtype)) dtype = model.dtype;
    else notes.push('The weights type was unknown; fp32 is used.');
  }
  const input = value.input;
  if (!isRecord(input) || typeof input.text !== 'string')
    return { ok: false, message: 'The link holds no text.' };
  if (input.text.length > MAX_SHARED_TEXT_CHARS)
    return {
      ok: false,
      message: `The link’s text is longer than ${MAX_SHARED_TEXT_CHARS.toLocaleString('en')} characters; LinScope does not open it.`,
    };
  if (input.text.trim().length === 0) return { ok: false, message: 'The link’s text is empty.' };
  let corpus = false;
  if (input.corpus !== undefined) {
    if (typeof input.corpus === 'boolean') corpus = input.corpus;
    else notes.push('The corpus flag was unreadable; the text is taken as one prompt.');
  }
  let focusLayer: number | null = null;
  if (value.focusLayer !== undefined && value.focusLayer !== null) {
    if (
      Number.isInteger(value.focusLayer) &&
      (value.focusLayer as number) >= 0 &&
      (value.focusLayer as number) < 4096
    )
      focusLayer = value.focusLayer as number;
    else notes.push('The focused layer was out of range; none is focused.');
  }
  return {
    ok: true,
    state: {
      model: { id, revision, dtype },
      settings: parseSettings(value.settings, notes),
      reference: parseReference(value.reference, notes),
      input: { text: input.text, corpus },
      focusLayer,
    },
    notes,
  };
}
