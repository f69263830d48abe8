/**
 * A result inside a permalink, in a compact binary form (docs/permalinks.md, "Result section"):
 * per-layer and per-state numbers as float32, token ids as varints, token texts as spans of the
 * shared text where they are one (else spelled out), and the heatmap as one byte per cell on a
 * log scale between the row's stored min and max, flashes as a bitset. Decoding rebuilds a
 * `LinScopeResult` the charts draw unchanged, plus the error bounds the quantisation allows.
 */
import type { HeldOutRecord, LayerPairRecord, StateRecord } from '../analysis';
import { type LinScopeResult, RESULT_SCHEMA, type ResultPerToken, type ResultToken } from '../job/result';
import { ByteReader, ByteWriter, PermalinkFormatError } from './permalinkBytes';

/** How far restored numbers may be from the sender's. */
export interface Quantisation {
  /** Relative error of per-layer and per-state numbers (float32 storage); absolute below 1. */
  scoreRelative: number;
  /** Relative error of a heatmap cell (8-bit log scale, per row); null when the link had no heatmap. */
  cellRelative: number | null;
}

/** Limits a decoded result must keep: beyond them the link is hostile or not LinScope's. */
export const RESULT_LIMITS = { layers: 512, tokens: 200_000, cells: 4_000_000, hidden: 1 << 20 } as const;

/** Levels for positive values; code 0 is null, 1 is zero, 2..255 the log scale. */
const LEVELS = 253;
/** float32 keeps 24 bits: relative rounding of scores and of the stored row ends. */
const FLOAT32_RELATIVE = 2 ** -24;
/** How far ahead of the cursor a token's text is looked for in the shared text. */
const RESYNC_CHARS = 8;

const GRAPHS = ['residual-add', 'fused-skip-norm'] as const;
const round6 = (v: number) => Number(v.toFixed(6));

function writeTokens(w: ByteWriter, tokens: readonly ResultToken[], docs: readonly string[]): void {
  w.varint(tokens.length);
  const runs: { doc: number; count: number }[] = [];
  for (const t of tokens) {
    const last = runs[runs.length - 1];
    if (last && last.doc === t.doc) last.count++;
    else runs.push({ doc: t.doc, count: 1 });
  }
  w.varint(runs.length);
  for (const r of runs) {
    w.varint(r.doc);
    w.varint(r.count);
  }
  for (const t of tokens) w.varint(t.id);
  // Texts: a span of the document at the cursor (possibly a few characters on) when the token is
  // one; otherwise spelled out (BOS markers, halves of a character split across byte tokens).
  let doc = -1;
  let cursor = 0;
  for (const t of tokens) {
    if (t.doc !== doc) {
      doc = t.doc;
      cursor = 0;
    }
    const text = docs[t.doc] ?? '';
    const at = t.text.length > 0 ? text.indexOf(t.text, cursor) : -1;
    if (at >= 0 && at - cursor <= RESYNC_CHARS) {
      w.varint(at - cursor);
      w.varint(t.text.length * 2);
      cursor = at + t.text.length;
    } else {
      w.varint(0);
      const bytes = new TextEncoder().encode(t.text);
      w.varint(bytes.length * 2 + 1);
      w.raw(bytes);
    }
  }
}

function readTokens(r: ByteReader, docs: readonly string[]): ResultToken[] {
  const T = r.varint(RESULT_LIMITS.tokens);
  const runCount = r.varint(T);
  const docOf: number[] = [];
  for (let k = 0; k < runCount; k++) {
    const doc = r.varint(docs.length - 1);
    const count = r.varint(T - docOf.length);
    for (let i = 0; i < count; i++) docOf.push(doc);
  }
  if (docOf.length !== T) throw new PermalinkFormatError('token documents do not add up');
  const ids: number[] = [];
  for (let i = 0; i < T; i++) ids.push(r.varint());
  const tokens: ResultToken[] = [];
  let doc = -1;
  let cursor = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < T; i++) {
    if (docOf[i] !== doc) {
      doc = docOf[i];
      cursor = 0;
    }
    const skip = r.varint(RESYNC_CHARS);
    const code = r.varint();
    const length = code >> 1;
    let text: string;
    if (code & 1) {
      try {
        text = decoder.decode(r.raw(length));
      } catch (error) {
        if (error instanceof PermalinkFormatError) throw error;
        throw new PermalinkFormatError('token text that is not UTF-8');
      }
      cursor += skip;
    } else {
      const start = cursor + skip;
      if (start + length > docs[doc].length) throw new PermalinkFormatError('token offsets beyond the text');
      text = docs[doc].slice(start, start + length);
      cursor = start + length;
    }
    tokens.push({ id: ids[i], text, doc });
  }
  return tokens;
}

function writeHeldOut(w: ByteWriter, h: HeldOutRecord): void {
  w.float32(h.linearity);
  w.float32(h.linearityNoResidual);
  w.varint(h.n);
  w.varint(h.nFit);
  w.nullableString(h.reason);
}

function writeLayer(w: ByteWriter, l: LayerPairRecord): void {
  w.byte(
    (l.isFirst ? 1 : 0) |
      (l.isLast ? 2 : 0) |
      (l.heldOut ? 4 : 0) |
      (l.heldOut?.source === 'reference' ? 8 : 0),
  );
  for (const v of [l.linearity, l.linearityNoResidual, l.chanceFloor, l.cosine, l.updateRatio]) w.float32(v);
  w.varint(l.n);
  w.varint(l.d);
  w.varint(l.rank === null ? 0 : l.rank + 1);
  w.nullableString(l.reason);
  if (l.heldOut) writeHeldOut(w, l.heldOut);
}

function readLayer(r: ByteReader, index: number): LayerPairRecord {
  const flags = r.byte();
  const [linearity, linearityNoResidual, chanceFloor, cosine, updateRatio] = [0, 0, 0, 0, 0].map(() =>
    r.float32(),
  );
  const n = r.varint();
  const d = r.varint(RESULT_LIMITS.hidden);
  const rank = r.varint(RESULT_LIMITS.hidden + 1);
  const reason = r.nullableString(1000);
  const heldOut: HeldOutRecord | null =
    flags & 4
      ? {
          source: flags & 8 ? 'reference' : 'split',
          linearity: r.float32(),
          linearityNoResidual: r.float32(),
          n: r.varint(),
          nFit: r.varint(),
          reason: r.nullableString(1000),
        }
      : null;
  return {
    pair: [index, index + 1],
    isFirst: (flags & 1) !== 0,
    isLast: (flags & 2) !== 0,
    linearity,
    linearityNoResidual,
    n,
    d,
    chanceFloor,
    rank: rank === 0 ? null : rank - 1,
    reason,
    heldOut,
    cosine,
    updateRatio,
  };
}

/** One heatmap row as bytes: null 0, zero 1, else 2 + level on ln between the row's positive min and max. */
function writeRow(w: ByteWriter, row: readonly (number | null)[]): number {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const v of row) {
    if (v !== null && v > 0) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  if (!row.some((v) => v !== null)) {
    w.byte(0);
    return 0;
  }
  if (max === 0) min = max = 1;
  // The ends as stored, so both sides quantise against the same numbers.
  const lo = Math.log(Math.fround(min));
  const hi = Math.log(Math.fround(max));
  const span = hi - lo;
  w.byte(1);
  w.float32(min);
  w.float32(max);
  const codes = new Uint8Array(row.length);
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    codes[i] =
      v === null ? 0 : v <= 0 ? 1 : 2 + (span > 0 ? Math.round(((Math.log(v) - lo) / span) * LEVELS) : 0);
  }
  w.raw(codes);
  return span / LEVELS;
}

function readRow(r: ByteReader, T: number): { row: (number | null)[]; step: number } {
  const kind = r.byte();
  if (kind === 0) return { row: new Array<number | null>(T).fill(null), step: 0 };
  if (kind !== 1) throw new PermalinkFormatError('unknown heatmap row kind');
  const min = r.float32();
  const max = r.float32();
  if (min === null || max === null || !(min > 0) || !(max >= min))
    throw new PermalinkFormatError('heatmap row range is not positive');
  const lo = Math.log(min);
  const span = Math.log(max) - lo;
  const codes = r.raw(T);
  const row = Array.from(codes, (c): number | null =>
    c === 0 ? null : c === 1 ? 0 : c === LEVELS + 2 ? max : Math.exp(lo + ((c - 2) / LEVELS) * span),
  );
  return { row, step: span / LEVELS };
}

/** Bytes of `result`; the heatmap only when `withPerToken` (and the result has one). */
export function encodeResultSection(
  result: LinScopeResult,
  docs: readonly string[],
  withPerToken: boolean,
): Uint8Array {
  const w = new ByteWriter();
  const perToken = withPerToken ? result.perToken : null;
  // Bit 0: the heatmap follows; bit 1: the result had one, left out to fit the budget.
  w.byte((perToken ? 1 : 0) | (result.perToken && !perToken ? 2 : 0));
  w.string(result.generator.version);
  const m = result.model;
  w.varint(m.layers);
  w.varint(m.hidden);
  w.varint(m.vocab);
  w.varint(m.contextLength === null ? 0 : m.contextLength + 1);
  w.byte(GRAPHS.indexOf(m.graph));
  w.byte((result.settings.excludeBos ? 1 : 0) | (result.settings.excludeMassive ? 2 : 0));
  w.float32(result.settings.heldOutFraction);
  w.varint(result.settings.windowLength);
  writeTokens(w, result.tokens, docs);
  w.varint(result.windows.length);
  for (const win of result.windows) {
    w.varint(win.doc);
    w.varint(win.start);
    w.varint(win.end);
  }
  w.varint(result.excludedTokens.length);
  let previous = 0;
  for (const t of result.excludedTokens) {
    w.varint(t - previous);
    previous = t;
  }
  w.varint(result.layers.length);
  for (const l of result.layers) writeLayer(w, l);
  w.varint(result.states.length);
  for (const s of result.states) {
    w.float32(s.anisotropy);
    w.float32(s.intrinsicDimension);
  }
  if (perToken) {
    w.byte(perToken.reference.source === 'user' ? 1 : 0);
    w.string(perToken.reference.name);
    w.varint(perToken.reference.tokens);
    w.float32(perToken.reference.quantile);
    for (const v of perToken.flashThreshold) w.float32(v);
    for (const row of perToken.nonlinearity) writeRow(w, row);
    for (const row of perToken.flash) {
      const bits = new Uint8Array(Math.ceil(row.length / 8));
      row.forEach((f, i) => {
        if (f) bits[i >> 3] |= 1 << (i & 7);
      });
      w.raw(bits);
    }
  }
  return w.finish();
}

/**
 * The result in `bytes`, for the model and text of the link's state. Throws
 * `PermalinkFormatError` when the bytes are malformed or disagree with the text.
 */
export function decodeResultSection(
  bytes: Uint8Array,
  model: Pick<LinScopeResult['model'], 'id' | 'revision' | 'dtype'>,
  docs: readonly string[],
): { result: LinScopeResult; quantisation: Quantisation; heatmapLeftOut: boolean } {
  const r = new ByteReader(bytes);
  const flags = r.byte();
  const version = r.string(40);
  const layersInModel = r.varint(RESULT_LIMITS.layers);
  const hidden = r.varint(RESULT_LIMITS.hidden);
  const vocab = r.varint();
  const context = r.varint();
  const graph = GRAPHS[r.byte()];
  if (!graph) throw new PermalinkFormatError('unknown graph kind');
  const settingFlags = r.byte();
  const heldOutFraction = r.float32();
  if (heldOutFraction === null || heldOutFraction < 0 || heldOutFraction > 1)
    throw new PermalinkFormatError('held-out fraction out of range');
  const windowLength = r.varint();
  if (docs.length === 0) throw new PermalinkFormatError('no text for the tokens');
  const tokens = readTokens(r, docs);
  const T = tokens.length;
  const windows: LinScopeResult['windows'] = [];
  const windowCount = r.varint(T + docs.length);
  for (let k = 0; k < windowCount; k++) {
    const doc = r.varint(docs.length - 1);
    const start = r.varint(T);
    const end = r.varint(T);
    if (end < start) throw new PermalinkFormatError('window ends before it starts');
    windows.push({ doc, start, end });
  }
  const excludedTokens: number[] = [];
  const excludedCount = r.varint(T);
  let previous = 0;
  for (let k = 0; k < excludedCount; k++) {
    previous += r.varint(T);
    if (previous >= T) throw new PermalinkFormatError('excluded token out of range');
    excludedTokens.push(previous);
  }
  const L = r.varint(RESULT_LIMITS.layers);
  if (L * T > RESULT_LIMITS.cells) throw new PermalinkFormatError('heatmap too large');
  const layers: LayerPairRecord[] = [];
  for (let l = 0; l < L; l++) layers.push(readLayer(r, l));
  const stateCount = r.varint(RESULT_LIMITS.layers + 1);
  const states: StateRecord[] = [];
  for (let s = 0; s < stateCount; s++)
    states.push({ index: s, anisotropy: r.float32(), intrinsicDimension: r.float32() });
  let perToken: ResultPerToken | null = null;
  let cellStep: number | null = null;
  if (flags & 1) {
    const source = r.byte() === 1 ? 'user' : 'bundled';
    const name = r.string(800);
    const referenceTokens = r.varint();
    const quantile = r.float32();
    if (quantile === null || quantile <= 0 || quantile >= 1)
      throw new PermalinkFormatError('quantile out of range');
    const flashThreshold: (number | null)[] = [];
    for (let l = 0; l < L; l++) flashThreshold.push(r.float32());
    const nonlinearity: (number | null)[][] = [];
    cellStep = 0;
    for (let l = 0; l < L; l++) {
      const { row, step } = readRow(r, T);
      nonlinearity.push(row);
      cellStep = Math.max(cellStep, step);
    }
    const flash: number[][] = [];
    for (let l = 0; l < L; l++) {
      const bits = r.raw(Math.ceil(T / 8));
      flash.push(Array.from({ length: T }, (_, i) => (bits[i >> 3] >> (i & 7)) & 1));
    }
    perToken = {
      nonlinearity,
      flash,
      flashThreshold,
      unit: 'relative-to-reference-mean-error',
      reference: { source, name, tokens: referenceTokens, quantile: round6(quantile) },
    };
  }
  if (r.remaining !== 0) throw new PermalinkFormatError('bytes left over after the result');
  const result: LinScopeResult = {
    schema: RESULT_SCHEMA,
    generator: { name: 'linscope', version },
    model: {
      id: model.id,
      revision: model.revision,
      layers: layersInModel,
      hidden,
      dtype: model.dtype,
      vocab,
      contextLength: context === 0 ? null : context - 1,
      graph,
    },
    settings: {
      excludeBos: (settingFlags & 1) !== 0,
      excludeMassive: (settingFlags & 2) !== 0,
      heldOutFraction: round6(heldOutFraction),
      windowLength,
    },
    tokens,
    windows,
    excludedTokens,
    layers,
    states,
    perToken,
  };
  return {
    result,
    heatmapLeftOut: (flags & 2) !== 0,
    quantisation: {
      scoreRelative: FLOAT32_RELATIVE,
      // Half a level either way, plus the float32 rounding of the stored row ends.
      cellRelative: cellStep === null ? null : Math.expm1(cellStep / 2) + 4 * FLOAT32_RELATIVE,
    },
  };
}
