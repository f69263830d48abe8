/**
 * The block-replacement experiment (`result.linearize`) inside a permalink: a trailing section of
 * its own after the result section (docs/permalinks.md, "Trailing sections"), so links without it
 * and readers without it are unaffected. Every number is float32 (relative error at most 2^-24),
 * token-aligned loss changes included; texts are UTF-8. Decoding ends in `checkLinearize`, the
 * same checks a `.linscope.json` file gets.
 */
import type { ReplacementMetrics, ResultLinearize } from '../job/result';
import { checkLinearize, LinearizeInvalid, MAX_LINEARIZE_RUNS } from './linearizeCheck';
import { ByteReader, ByteWriter, PermalinkFormatError } from './permalinkBytes';

/** Longest continuation or reason kept in a link, in UTF-8 bytes. */
const MAX_TEXT_BYTES = 4000;

function writeMetrics(w: ByteWriter, m: ReplacementMetrics): void {
  for (const v of [m.loss, m.perplexity, m.lossIncrease, m.top1Changed, m.kl]) w.float32(v);
}

function readMetrics(r: ByteReader): ReplacementMetrics {
  const [loss, perplexity, lossIncrease, top1Changed, kl] = [0, 0, 0, 0, 0].map(() => r.float32());
  // The checks that follow want numbers; a null (NaN) here is a malformed section.
  return { loss, perplexity, lossIncrease, top1Changed, kl } as ReplacementMetrics;
}

function writeBlocks(w: ByteWriter, blocks: readonly number[]): void {
  w.varint(blocks.length);
  for (const b of blocks) w.varint(b);
}

function readBlocks(r: ByteReader, L: number): number[] {
  const n = r.varint(L);
  return Array.from({ length: n }, () => r.varint(L));
}

/** Bytes of `linearize`; its `lossDelta` rows are as long as the result's tokens. */
export function encodeLinearizeSection(linearize: ResultLinearize): Uint8Array {
  const w = new ByteWriter();
  const { maps, original, sweep } = linearize;
  // Bit 0: maps fitted on the text (in sample); bit 1: a sweep follows the runs.
  w.byte((maps.source === 'self' ? 1 : 0) | (sweep ? 2 : 0));
  w.string(maps.name);
  w.varint(maps.tokens);
  w.varint(maps.missing.length);
  for (const reason of maps.missing) w.nullableString(reason);
  w.varint(linearize.positions);
  w.float32(original.loss);
  w.float32(original.perplexity);
  w.nullableString(original.continuation);
  w.varint(linearize.runs.length);
  for (const run of linearize.runs) {
    writeBlocks(w, run.linear);
    writeBlocks(w, run.skip);
    writeMetrics(w, run);
    w.varint(run.lossDelta.length);
    for (const v of run.lossDelta) w.float32(v);
    w.nullableString(run.continuation);
  }
  if (sweep) {
    for (const b of sweep.blocks) {
      w.byte((b.linear ? 1 : 0) | (b.linearity === null ? 0 : 2));
      if (b.linearity !== null) w.float32(b.linearity);
      if (b.linear) writeMetrics(w, b.linear);
      writeMetrics(w, b.skip);
    }
    writeBlocks(w, sweep.cumulative.order);
    for (const m of sweep.cumulative.steps) writeMetrics(w, m);
  }
  return w.finish();
}

/**
 * The experiment in `bytes`, for a result of `L` blocks and `T` tokens. Throws
 * `PermalinkFormatError` when the bytes are malformed or do not fit the result.
 */
export function decodeLinearizeSection(bytes: Uint8Array, L: number, T: number): ResultLinearize {
  const r = new ByteReader(bytes);
  const flags = r.byte();
  if (flags > 3) throw new PermalinkFormatError('unknown experiment flags');
  const source = flags & 1 ? 'self' : 'reference';
  const name = r.string(800);
  const mapTokens = r.varint();
  const blockCount = r.varint(L);
  if (blockCount !== L) throw new PermalinkFormatError('the experiment is for another number of blocks');
  const missing = Array.from({ length: L }, () => r.nullableString(MAX_TEXT_BYTES));
  const positions = r.varint(T);
  const originalLoss = r.float32();
  const originalPerplexity = r.float32();
  const originalContinuation = r.nullableString(MAX_TEXT_BYTES);
  const runCount = r.varint(MAX_LINEARIZE_RUNS);
  const runs = Array.from({ length: runCount }, () => {
    const linear = readBlocks(r, L);
    const skip = readBlocks(r, L);
    const metrics = readMetrics(r);
    const length = r.varint(T);
    if (length !== T) throw new PermalinkFormatError('loss changes for another number of tokens');
    if (r.remaining < 4 * T) throw new PermalinkFormatError('ran past the end');
    const lossDelta = Array.from({ length: T }, () => r.float32());
    return { linear, skip, ...metrics, lossDelta, continuation: r.nullableString(MAX_TEXT_BYTES) };
  });
  let sweep: ResultLinearize['sweep'] = null;
  if (flags & 2) {
    const blocks = Array.from({ length: L }, (_, block) => {
      const has = r.byte();
      if (has > 3) throw new PermalinkFormatError('unknown sweep flags');
      const linearity = has & 2 ? r.float32() : null;
      const linear = has & 1 ? readMetrics(r) : null;
      return { block, linearity, linear, skip: readMetrics(r) };
    });
    const order = readBlocks(r, L);
    const steps = order.map(() => readMetrics(r));
    sweep = { blocks, cumulative: { order, steps } };
  }
  if (r.remaining !== 0) throw new PermalinkFormatError('bytes left over after the experiment');
  const value = {
    maps: { source, name, tokens: mapTokens, inSample: source === 'self', missing },
    positions,
    original: { loss: originalLoss, perplexity: originalPerplexity, continuation: originalContinuation },
    runs,
    sweep,
  };
  try {
    return checkLinearize(value, L, T);
  } catch (error) {
    if (error instanceof LinearizeInvalid) throw new PermalinkFormatError(error.message);
    throw error;
  }
}
