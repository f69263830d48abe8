/**
 * Compare links: several results in one URL fragment, so that a compare view opens as it was
 * (docs/compare.md). `#lsc1.<base64url(deflate(payload))>`, where the payload is a header (JSON:
 * each entry's label, model and text) followed by one result section per entry, written by the
 * same encoder as a single-result permalink (`permalinkResult.ts`: float32 scores, 8-bit log
 * heatmap), and an FNV-1a-32 checksum. Single-result links (`#ls1.`) are untouched.
 *
 * Within the URL budget the fullest of these is written: every result with its per-token values;
 * without them; without tokens too (layer scores only). Decoding never throws.
 */
import { deflateSync } from 'fflate';
import type { LinScopeResult } from '../job/result';
import { isRecord } from './isRecord';
import { DEFAULT_URL_BUDGET, inflateCapped, MAX_FRAGMENT_CHARS, MAX_PAYLOAD_BYTES } from './permalink';
import {
  ByteReader,
  ByteWriter,
  checksum32,
  fromBase64Url,
  PermalinkFormatError,
  toBase64Url,
} from './permalinkBytes';
import { decodeResultSection, encodeResultSection } from './permalinkResult';
import { MAX_SHARED_TEXT_CHARS } from './permalinkState';

export const COMPARE_LINK_VERSION = 1;
const PREFIX = `lsc${COMPARE_LINK_VERSION}.`;
/** Most results one compare view (and link) holds. */
export const MAX_COMPARE_ENTRIES = 12;
const MAX_LABEL_CHARS = 200;

/** One result in a compare view, with the label it is shown under. */
export interface LabelledResult {
  readonly label: string;
  readonly result: LinScopeResult;
}

/** What a compare link holds, from most to least. */
export type CompareLinkContents = 'per-token' | 'tokens' | 'layer-scores';

export interface CompareLinkBuild {
  fragment: string;
  contents: CompareLinkContents;
  /** What was left out to fit the budget, in words (empty when nothing was). */
  leftOut: string[];
  urlLength: number;
  /** True when even the layer scores alone exceed the budget (the link is made anyway). */
  overBudget: boolean;
}

/** A restored entry; `perTokenLeftOut`: the result had per-token values the link could not hold. */
export interface RestoredEntry extends LabelledResult {
  readonly perTokenLeftOut: boolean;
  readonly tokensLeftOut: boolean;
}

export type CompareLinkDecode =
  | { ok: true; entries: RestoredEntry[]; notes: string[] }
  | { ok: false; message: string };

/** Whether a URL fragment is a compare link (rather than a single analysis's). */
export function isCompareFragment(fragment: string): boolean {
  return (fragment.startsWith('#') ? fragment.slice(1) : fragment).startsWith('lsc');
}

/** A result's documents, rebuilt from its tokens, indexed by `doc` (at least one, maybe empty). */
function documentsOf(result: LinScopeResult): string[] {
  const docs: string[] = [''];
  for (const t of result.tokens) {
    while (docs.length <= t.doc) docs.push('');
    docs[t.doc] += t.text;
  }
  return docs;
}

/** The result without its tokens (and what hangs on them): the layer scores only. */
function withoutTokens(result: LinScopeResult): LinScopeResult {
  return { ...result, tokens: [], windows: [], excludedTokens: [], perToken: null, logitLens: null };
}

function pack(entries: readonly LabelledResult[], contents: CompareLinkContents): string {
  const sections: Uint8Array[] = [];
  const header = entries.map(({ label, result }) => {
    const sent = contents === 'layer-scores' ? withoutTokens(result) : result;
    const docs = documentsOf(sent);
    sections.push(encodeResultSection(sent, docs, contents === 'per-token'));
    return {
      label,
      model: { id: result.model.id, revision: result.model.revision, dtype: result.model.dtype },
      docs,
      tokensLeftOut: contents === 'layer-scores' && result.tokens.length > 0,
      ...(result.statistics ? { statistics: result.statistics } : {}),
    };
  });
  const w = new ByteWriter();
  const json = new TextEncoder().encode(JSON.stringify({ entries: header }));
  w.varint(json.length);
  w.raw(json);
  for (const s of sections) {
    w.varint(s.length);
    w.raw(s);
  }
  const body = w.finish();
  const payload = new Uint8Array(body.length + 4);
  payload.set(body);
  new DataView(payload.buffer).setUint32(body.length, checksum32(body));
  return `#${PREFIX}${toBase64Url(deflateSync(payload, { level: 9 }))}`;
}

/** The fullest compare link whose whole URL (`baseLength` + fragment) stays within `budget`. */
export function encodeCompareLink(
  entries: readonly LabelledResult[],
  options: { budget?: number; baseLength?: number } = {},
): CompareLinkBuild {
  const budget = options.budget ?? DEFAULT_URL_BUDGET;
  const base = options.baseLength ?? 0;
  const anyPerToken = entries.some((e) => e.result.perToken);
  const anyTokens = entries.some((e) => e.result.tokens.length > 0);
  const tries: { contents: CompareLinkContents; leftOut: string[] }[] = [
    { contents: 'per-token', leftOut: [] },
    {
      contents: 'tokens',
      leftOut: anyPerToken ? ['the per-token heatmaps (they are in each result’s own file)'] : [],
    },
    {
      contents: 'layer-scores',
      leftOut: [
        ...(anyPerToken ? ['the per-token heatmaps (they are in each result’s own file)'] : []),
        ...(anyTokens ? ['the tokens (so the link cannot say whether the texts agree)'] : []),
      ],
    },
  ];
  let last: CompareLinkBuild | null = null;
  for (const t of tries) {
    const fragment = pack(entries, t.contents);
    const urlLength = base + fragment.length;
    last = { fragment, contents: t.contents, leftOut: t.leftOut, urlLength, overBudget: urlLength > budget };
    if (!last.overBudget) return last;
  }
  return last!;
}

interface HeaderEntry {
  label: string;
  model: { id: string; revision: string; dtype: string };
  docs: string[];
  tokensLeftOut: boolean;
  statistics?: LinScopeResult['statistics'];
}

const shortString = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

/** The header's entries, field by field; throws `PermalinkFormatError` on anything malformed. */
function parseHeader(value: unknown): HeaderEntry[] {
  if (!isRecord(value) || !Array.isArray(value.entries)) throw new PermalinkFormatError('no list of results');
  const list = value.entries as unknown[];
  if (list.length < 1 || list.length > MAX_COMPARE_ENTRIES)
    throw new PermalinkFormatError(`${list.length} results (1 to ${MAX_COMPARE_ENTRIES} are allowed)`);
  let textChars = 0;
  return list.map((e) => {
    if (!isRecord(e) || !shortString(e.label, MAX_LABEL_CHARS)) throw new PermalinkFormatError('a bad label');
    const m = e.model;
    if (!isRecord(m) || !shortString(m.id, 300) || !shortString(m.revision, 100) || !shortString(m.dtype, 20))
      throw new PermalinkFormatError('a bad model');
    if (!Array.isArray(e.docs) || e.docs.length === 0 || !e.docs.every((d) => typeof d === 'string'))
      throw new PermalinkFormatError('a bad text');
    textChars += (e.docs as string[]).reduce((n, d) => n + d.length, 0);
    if (textChars > MAX_SHARED_TEXT_CHARS) throw new PermalinkFormatError('texts too long');
    let statistics: LinScopeResult['statistics'];
    if (e.statistics !== undefined) {
      const s = e.statistics;
      const count = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
      if (
        !isRecord(s) ||
        !count(s.tokens) ||
        !count(s.documents) ||
        !count(s.shards) ||
        !shortString(s.generator, 100)
      )
        throw new PermalinkFormatError('bad statistics');
      statistics = {
        tokens: s.tokens as number,
        documents: s.documents as number,
        shards: s.shards as number,
        generator: s.generator as string,
      };
    }
    return {
      label: e.label as string,
      model: { id: m.id as string, revision: m.revision as string, dtype: m.dtype as string },
      docs: e.docs as string[],
      tokensLeftOut: e.tokensLeftOut === true,
      ...(statistics ? { statistics } : {}),
    };
  });
}

function decodeUnsafe(fragment: string): CompareLinkDecode {
  const fail = (message: string): CompareLinkDecode => ({ ok: false, message });
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (text.length > MAX_FRAGMENT_CHARS) return fail('This compare link is too long to open.');
  const head = /^lsc(\d{1,6})\./.exec(text);
  if (!head)
    return fail('This is not a LinScope compare link: its part after “#” should start with “lsc1.”.');
  if (Number(head[1]) > COMPARE_LINK_VERSION)
    return fail(
      `This compare link was made by a newer LinScope (format ${head[1]}); open it on an up-to-date LinScope.`,
    );
  if (Number(head[1]) < 1) return fail(`This compare link has an unknown format number (${head[1]}).`);
  const packed = fromBase64Url(text.slice(head[0].length));
  if (!packed || packed.length === 0)
    return fail('This compare link is damaged: it contains characters a LinScope link never has.');
  let payload: Uint8Array | 'too-large';
  try {
    payload = inflateCapped(packed, MAX_PAYLOAD_BYTES);
  } catch {
    return fail('This compare link is incomplete or damaged: was it cut off when it was copied?');
  }
  if (payload === 'too-large') return fail('This compare link unpacks to too much data; it was not opened.');
  if (payload.length < 5) return fail('This compare link is incomplete: it holds almost nothing.');
  const body = payload.subarray(0, payload.length - 4);
  const sum = new DataView(payload.buffer, payload.byteOffset + body.length, 4).getUint32(0);
  if (checksum32(body) !== sum)
    return fail(
      'This compare link is damaged: its checksum does not match, so part of it was changed or lost.',
    );
  try {
    const reader = new ByteReader(body);
    let headerValue: unknown;
    try {
      headerValue = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(reader.raw(reader.varint())));
    } catch (error) {
      if (error instanceof PermalinkFormatError) throw error;
      throw new PermalinkFormatError('an unreadable list of results');
    }
    const header = parseHeader(headerValue);
    const entries: RestoredEntry[] = header.map((h) => {
      const { result, heatmapLeftOut } = decodeResultSection(reader.raw(reader.varint()), h.model, h.docs);
      if (h.statistics) result.statistics = h.statistics;
      return { label: h.label, result, perTokenLeftOut: heatmapLeftOut, tokensLeftOut: h.tokensLeftOut };
    });
    if (reader.remaining !== 0) throw new PermalinkFormatError('bytes left over');
    const notes = ['Restored from a compare link: scores are stored as float32 and heatmaps in 8 bits.'];
    if (entries.some((e) => e.perTokenLeftOut))
      notes.push('The per-token heatmaps did not fit in the link; open the results’ files to see them.');
    if (entries.some((e) => e.tokensLeftOut))
      notes.push('The tokens did not fit in the link: only the layer scores are compared.');
    return { ok: true, entries, notes };
  } catch (error) {
    if (!(error instanceof PermalinkFormatError)) throw error;
    return fail(`This compare link is malformed (${error.message}); nothing from it was used.`);
  }
}

/** The results a compare link holds, or why it cannot be opened. Never throws. */
export function decodeCompareLink(fragment: string): CompareLinkDecode {
  try {
    return decodeUnsafe(fragment);
  } catch {
    return { ok: false, message: 'This compare link could not be read; nothing from it was used.' };
  }
}
