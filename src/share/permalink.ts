/**
 * Permalinks: the whole state of an analysis, and its results where they fit, in the URL fragment
 * (which browsers never send to a server). `#ls1.<base64url(deflate(payload))>`, where the payload
 * is the state as JSON, the result section (permalinkResult.ts) and a checksum. Decoding never
 * throws: every way a link can be broken ends in a message a person can act on (docs/permalinks.md).
 */
import { deflateSync, Inflate } from 'fflate';
import type { LinScopeResult, ResultLinearize } from '../job/result';
import {
  ByteReader,
  ByteWriter,
  checksum32,
  fromBase64Url,
  PermalinkFormatError,
  toBase64Url,
} from './permalinkBytes';
import { decodeLinearizeSection, encodeLinearizeSection } from './permalinkLinearize';
import { applyReferenceSection, encodeReferenceSection } from './permalinkReference';
import { decodeResultSection, encodeResultSection, type Quantisation } from './permalinkResult';
import { parseShareState, type ShareState, shareDocuments, shareStateJson } from './permalinkState';
import { resultRangeProblem } from './resultRanges';

/** The link format this LinScope writes and reads; bumped only for changes old readers cannot skip. */
export const PERMALINK_VERSION = 1;
/** Whole-URL length the share button aims for: links this long survive chat apps, mail and QR codes. */
export const DEFAULT_URL_BUDGET = 8192;
/** Longest fragment opened at all (a 100,000-character text compresses to about 50K). */
export const MAX_FRAGMENT_CHARS = 262_144;
/** Largest unpacked payload: a zip bomb stops here, before it fills memory. */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** What a link holds, from most to least. */
export type LinkContents = 'results' | 'layer-scores' | 'inputs';

export interface PermalinkBuild {
  /** `#ls1.…`, to append to the app's URL. */
  fragment: string;
  contents: LinkContents;
  /** The block-replacement experiment of the result went in too. */
  withExperiment: boolean;
  /** What was left out to keep the URL within budget, in words (empty when nothing was). */
  leftOut: string[];
  /** Length of the whole URL (base + fragment) in characters. */
  urlLength: number;
  /** True when even the inputs alone are longer than the budget. */
  overBudget: boolean;
}

export type PermalinkDecode =
  | {
      ok: true;
      state: ShareState;
      result: LinScopeResult | null;
      /** How far the restored numbers may be from the sender's; null without a result. */
      quantisation: Quantisation | null;
      /** Things a person should know (fields dropped to defaults, results left out, unlisted model). */
      notes: string[];
    }
  | { ok: false; message: string };

/**
 * Tags of the optional sections after the result section. A reader skips tags it does not know,
 * and readers from before trailing sections stop after the result section, so adding one never
 * breaks a link (docs/permalinks.md).
 */
export const TRAILING_SECTION = { linearize: 1, reference: 2 } as const;

/** One trailing section as written: its tag, its length, its bytes. */
export function trailingSection(tag: number, bytes: Uint8Array): Uint8Array {
  const w = new ByteWriter();
  w.byte(tag);
  w.varint(bytes.length);
  w.raw(bytes);
  return w.finish();
}

/**
 * The fragment for a state, a result section and trailing sections (already framed by
 * `trailingSection`), as written; tests use it to craft broken links.
 */
export function packPermalink(
  stateJson: unknown,
  resultSection: Uint8Array | null,
  version: number = PERMALINK_VERSION,
  trailing: Uint8Array = new Uint8Array(0),
): string {
  const w = new ByteWriter();
  const json = new TextEncoder().encode(JSON.stringify(stateJson));
  w.varint(json.length);
  w.raw(json);
  w.varint(resultSection ? resultSection.length : 0);
  if (resultSection) w.raw(resultSection);
  w.raw(trailing);
  const body = w.finish();
  const sum = checksum32(body);
  const payload = new Uint8Array(body.length + 4);
  payload.set(body);
  new DataView(payload.buffer).setUint32(body.length, sum);
  return `#ls${version}.${toBase64Url(deflateSync(payload, { level: 9 }))}`;
}

/**
 * The link for `state` (and `result`, when it fits): the fullest of results with heatmap, layer
 * scores only, inputs only whose whole URL (`baseLength` + fragment) stays within `budget`.
 */
export function encodePermalink(
  state: ShareState,
  result: LinScopeResult | null,
  options: { budget?: number; baseLength?: number } = {},
): PermalinkBuild {
  const budget = options.budget ?? DEFAULT_URL_BUDGET;
  const base = options.baseLength ?? 0;
  const stateJson = shareStateJson(state);
  const docs = shareDocuments(state.input);
  const tries: {
    contents: LinkContents;
    section: () => Uint8Array | null;
    trailing: () => Uint8Array;
    leftOut: string[];
  }[] = [];
  const none = () => new Uint8Array(0);
  const linearize = result?.linearize;
  const experiment = () =>
    linearize ? trailingSection(TRAILING_SECTION.linearize, encodeLinearizeSection(linearize)) : none();
  const experimentLeftOut = linearize
    ? ['the block-replacement experiment (it is in the .linscope.json file)']
    : [];
  // With each result level, first with the experiment, then without it.
  const withAndWithout = (contents: LinkContents, section: () => Uint8Array | null, leftOut: string[]) => {
    if (linearize) tries.push({ contents, section, trailing: experiment, leftOut });
    tries.push({ contents, section, trailing: none, leftOut: [...leftOut, ...experimentLeftOut] });
  };
  if (result?.perToken) {
    // The reference's composition and calibration go with the heatmap (a few hundred bytes).
    const referenceBytes = encodeReferenceSection(result.perToken);
    const reference = referenceBytes ? trailingSection(TRAILING_SECTION.reference, referenceBytes) : none();
    const joined = (a: Uint8Array, b: Uint8Array) => {
      const out = new Uint8Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    };
    const section = () => encodeResultSection(result, docs, true);
    if (linearize)
      tries.push({
        contents: 'results',
        section,
        trailing: () => joined(reference, experiment()),
        leftOut: [],
      });
    tries.push({ contents: 'results', section, trailing: () => reference, leftOut: experimentLeftOut });
  }
  if (result)
    withAndWithout(
      'layer-scores',
      () => encodeResultSection(result, docs, false),
      result.perToken ? ['the per-token heatmap (recomputed when the link is opened)'] : [],
    );
  tries.push({
    contents: 'inputs',
    section: () => null,
    trailing: none,
    leftOut: result ? ['all results (recomputed when the link is opened)'] : [],
  });
  for (const t of tries) {
    const trailing = t.trailing();
    const fragment = packPermalink(stateJson, t.section(), PERMALINK_VERSION, trailing);
    if (base + fragment.length <= budget || t.contents === 'inputs') {
      return {
        fragment,
        contents: t.contents,
        withExperiment: trailing.length > 0,
        leftOut: t.leftOut,
        urlLength: base + fragment.length,
        overBudget: base + fragment.length > budget,
      };
    }
  }
  throw new Error('unreachable: the inputs-only link is always returned');
}

/** Inflate with a cap on the output, chunk by chunk, so a bomb is stopped early. */
export function inflateCapped(data: Uint8Array, cap: number): Uint8Array | 'too-large' {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflate = new Inflate((chunk) => {
    total += chunk.length;
    if (total <= cap) chunks.push(chunk);
  });
  const step = 1024;
  for (let i = 0; i < data.length || i === 0; i += step) {
    inflate.push(data.subarray(i, i + step), i + step >= data.length);
    if (total > cap) return 'too-large';
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const fail = (message: string): PermalinkDecode => ({ ok: false, message });

/**
 * The trailing sections after the result section: the experiment, if there is one and it fits the
 * result; anything malformed is left out with a note (the inputs and results still open).
 */
function readTrailing(
  reader: ByteReader,
  result: LinScopeResult | null,
  notes: string[],
): ResultLinearize | null {
  let experiment: ResultLinearize | null = null;
  try {
    while (reader.remaining > 0) {
      const tag = reader.byte();
      const bytes = reader.raw(reader.varint());
      if (tag === TRAILING_SECTION.reference) {
        if (!result?.perToken) continue;
        try {
          applyReferenceSection(bytes, result.perToken, result.layers.length);
        } catch (error) {
          if (!(error instanceof PermalinkFormatError)) throw error;
          notes.push(`The link’s note on the reference was malformed (${error.message}) and was left out.`);
        }
        continue;
      }
      if (tag !== TRAILING_SECTION.linearize) continue;
      if (!result) {
        notes.push('The link’s block-replacement results came without the results they belong to: left out.');
        continue;
      }
      experiment = decodeLinearizeSection(bytes, result.model.layers, result.tokens.length);
    }
  } catch (error) {
    if (!(error instanceof PermalinkFormatError)) throw error;
    notes.push(
      `The link’s block-replacement results were malformed (${error.message}) and were left out: run the experiment again to see them.`,
    );
    return null;
  }
  return experiment;
}

function decodeUnsafe(fragment: string): PermalinkDecode {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (text.length > MAX_FRAGMENT_CHARS)
    return fail(
      `This link is too long to open (${text.length.toLocaleString('en')} characters; LinScope opens links up to ${MAX_FRAGMENT_CHARS.toLocaleString('en')}).`,
    );
  const head = /^ls(\d{1,6})\./.exec(text);
  if (!head)
    return fail(
      'This is not a LinScope link: its part after “#” should start with “ls1.”. Check that it was copied whole.',
    );
  const version = Number(head[1]);
  if (version > PERMALINK_VERSION)
    return fail(
      `This link was made by a newer LinScope (link format ${version}); this one reads format ${PERMALINK_VERSION}. Open it on an up-to-date LinScope.`,
    );
  if (version < 1) return fail(`This link has an unknown format number (${version}).`);
  const data = text.slice(head[0].length);
  if (data.length === 0)
    return fail(`This link is incomplete: nothing follows “${head[0]}”. Was it cut off when it was copied?`);
  const packed = fromBase64Url(data);
  if (!packed || packed.length === 0)
    return fail('This link is damaged: it contains characters a LinScope link never has. Was it edited?');
  let payload: Uint8Array | 'too-large';
  try {
    payload = inflateCapped(packed, MAX_PAYLOAD_BYTES);
  } catch (error) {
    const eof = error instanceof Error && /unexpected EOF/i.test(error.message);
    return fail(
      eof
        ? 'This link is incomplete: it ends too early. Was it cut off when it was copied?'
        : 'This link is damaged: its data does not unpack. Copy the link again from its source.',
    );
  }
  if (payload === 'too-large')
    return fail(
      `This link unpacks to more than ${MAX_PAYLOAD_BYTES / 1024 / 1024} MB; LinScope refuses to open it.`,
    );
  if (payload.length < 5) return fail('This link is incomplete: it holds almost nothing.');
  const body = payload.subarray(0, payload.length - 4);
  const sum = new DataView(payload.buffer, payload.byteOffset + body.length, 4).getUint32(0);
  if (checksum32(body) !== sum)
    return fail('This link is damaged: its checksum does not match, so part of it was changed or lost.');
  const reader = new ByteReader(body);
  let stateValue: unknown;
  let resultBytes: Uint8Array;
  try {
    stateValue = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(reader.raw(reader.varint())));
    resultBytes = reader.raw(reader.varint());
  } catch {
    return fail('This link’s settings are unreadable: it was not written by LinScope.');
  }
  const parsed = parseShareState(stateValue);
  if (!parsed.ok) return parsed;
  const { state, notes } = parsed;
  let result: LinScopeResult | null = null;
  let quantisation: Quantisation | null = null;
  let heatmapLeftOut = false;
  if (resultBytes.length > 0) {
    try {
      const decoded = decodeResultSection(resultBytes, state.model, shareDocuments(state.input));
      const outOfRange = resultRangeProblem(decoded.result);
      if (outOfRange) throw new PermalinkFormatError(outOfRange);
      ({ result, quantisation, heatmapLeftOut } = decoded);
    } catch (error) {
      if (!(error instanceof PermalinkFormatError)) throw error;
      notes.push(
        `The link’s results were malformed (${error.message}) and were left out: press Analyze to compute them.`,
      );
    }
  } else {
    notes.push(
      'The link holds the inputs only (its results did not fit): they are computed now if the model is served with LinScope; otherwise press Analyze.',
    );
  }
  if (reader.remaining > 0) {
    const experiment = readTrailing(reader, result, notes);
    if (result && experiment) result.linearize = experiment;
  }
  if (result && heatmapLeftOut)
    notes.push('The link holds the layer scores only; the heatmap did not fit. Re-run to compute it.');
  if (result && state.focusLayer !== null && state.focusLayer >= result.layers.length) {
    notes.push('The focused layer was out of range; none is focused.');
    state.focusLayer = null;
  }
  return { ok: true, state, result, quantisation, notes };
}

/** The state and result a fragment holds, or why it cannot be opened. Never throws. */
export function decodePermalink(fragment: string): PermalinkDecode {
  try {
    return decodeUnsafe(fragment);
  } catch {
    return fail('This link could not be read. It may be damaged or hostile; nothing from it was used.');
  }
}
