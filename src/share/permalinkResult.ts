/**
 * A result inside a permalink, in a compact binary form (docs/permalinks.md, "Result section"):
 * per-layer and per-state numbers as float32, token ids as varints, token texts as spans of the
 * shared text where they are one (else spelled out), and the heatmap as one byte per cell on a
 * log scale between the row's stored min and max, flashes as a bitset. Decoding rebuilds a
 * `LinScopeResult` the charts draw unchanged, plus the error bounds the quantisation allows.
 */
import type { HeldOutRecord, LayerPairRecord, StateRecord } from '../analysis';
import { type LinScopeResult, RESULT_SCHEMA, type ResultPerToken } from '../job/result';
import { ByteReader, ByteWriter, PermalinkFormatError } from './permalinkBytes';
import { readRow, writeRow } from './permalinkRows';
import { readTokens, writeTokens } from './permalinkTokens';

/** How far restored numbers may be from the sender's. */
export interface Quantisation {
  /** Relative error of per-layer and per-state numbers (float32 storage); absolute below 1. */
  scoreRelative: number;
  /** Relative error of a heatmap cell (8-bit log scale, per row); null when the link had no heatmap. */
  cellRelative: number | null;
}

/** Limits a decoded result must keep: beyond them the link is hostile or not LinScope's. */
export const RESULT_LIMITS = { layers: 512, tokens: 200_000, cells: 4_000_000, hidden: 1 << 20 } as const;

/** float32 keeps 24 bits: relative rounding of scores and of the stored row ends. */
const FLOAT32_RELATIVE = 2 ** -24;

const GRAPHS = ['residual-add', 'fused-skip-norm'] as const;
/** The reference's source as one byte (links from before `model` existed read 2 as bundled's 0). */
const REFERENCE_SOURCE_BYTES = { bundled: 0, user: 1, model: 2 } as const;
const round6 = (v: number) => Number(v.toFixed(6));

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
    w.byte(REFERENCE_SOURCE_BYTES[perToken.reference.source]);
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
  const tokens = readTokens(r, docs, RESULT_LIMITS.tokens);
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
  // One row per pair of the model, as a result has them.
  if (L !== layersInModel)
    throw new PermalinkFormatError(`${L} layer pairs for a model of ${layersInModel} layers`);
  const layers: LayerPairRecord[] = [];
  for (let l = 0; l < L; l++) layers.push(readLayer(r, l));
  if (layers.some((l) => l.d !== hidden))
    throw new PermalinkFormatError('a layer pair of another width than the model');
  const stateCount = r.varint(RESULT_LIMITS.layers + 1);
  if (stateCount !== L + 1) throw new PermalinkFormatError(`${stateCount} states for ${L} layers`);
  const states: StateRecord[] = [];
  for (let s = 0; s < stateCount; s++)
    states.push({ index: s, anisotropy: r.float32(), intrinsicDimension: r.float32() });
  let perToken: ResultPerToken | null = null;
  let cellStep: number | null = null;
  if (flags & 1) {
    const sourceByte = r.byte();
    const source = sourceByte === 1 ? 'user' : sourceByte === 2 ? 'model' : 'bundled';
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
