/**
 * The `linearize` section of a result (the block-replacement experiment) checked field by field,
 * as it arrives from a `.linscope.json` file, a stored record or a permalink: untrusted input. A
 * section that fails is dropped by the caller with a note; the rest of the result still opens.
 * The checked copy holds only the known fields, so nothing extra rides along into the page.
 */
import type { ReplacementMetrics, ResultLinearize } from '../job/result';
import { isRecord } from './isRecord';

/** Thrown with what is wrong, in words a note can carry. */
export class LinearizeInvalid extends Error {
  override name = 'LinearizeInvalid';
}

/** At most this many runs are kept with a result: more means a hand-made or hostile file. */
export const MAX_LINEARIZE_RUNS = 256;
/** Longest map name or continuation kept (characters). */
const MAX_TEXT = 100_000;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 31;

function need(ok: boolean, what: string): asserts ok {
  if (!ok) throw new LinearizeInvalid(what);
}

function textOrNull(v: unknown, what: string): string | null {
  need(v === null || (typeof v === 'string' && v.length <= MAX_TEXT), `${what} is not text`);
  return v as string | null;
}

function metrics(v: unknown, what: string): ReplacementMetrics {
  need(isRecord(v), `${what} is malformed`);
  const m = v as Record<string, unknown>;
  for (const k of ['loss', 'perplexity', 'lossIncrease', 'kl'])
    need(isNum(m[k]), `${what}: ${k} is not a number`);
  need(
    isNum(m.top1Changed) && m.top1Changed >= 0 && m.top1Changed <= 1,
    `${what}: top1Changed is not a share`,
  );
  return {
    loss: m.loss as number,
    perplexity: m.perplexity as number,
    lossIncrease: m.lossIncrease as number,
    top1Changed: m.top1Changed as number,
    kl: m.kl as number,
  };
}

/** Distinct block indices below `L`. */
function blockList(v: unknown, L: number, what: string): number[] {
  need(Array.isArray(v) && v.length <= L, `${what} is not a list of blocks`);
  const list = v as unknown[];
  need(
    list.every((b) => isCount(b) && b < L),
    `${what} names a block this model does not have`,
  );
  need(new Set(list).size === list.length, `${what} names a block twice`);
  return [...(list as number[])];
}

function run(v: unknown, L: number, T: number, index: number): ResultLinearize['runs'][number] {
  const what = `run ${index + 1}`;
  need(isRecord(v), `${what} is malformed`);
  const r = v as Record<string, unknown>;
  const linear = blockList(r.linear, L, `${what}'s linearized blocks`);
  const skip = blockList(r.skip, L, `${what}'s skipped blocks`);
  need(linear.length + skip.length > 0, `${what} changes no block`);
  need(!linear.some((b) => skip.includes(b)), `${what} both linearizes and skips a block`);
  need(
    Array.isArray(r.lossDelta) && r.lossDelta.length === T,
    `${what}'s loss changes do not have one value per token`,
  );
  const lossDelta = r.lossDelta as unknown[];
  need(
    lossDelta.every((x) => x === null || isNum(x)),
    `${what}'s loss changes are not numbers`,
  );
  return {
    linear,
    skip,
    ...metrics(r, what),
    lossDelta: lossDelta as (number | null)[],
    continuation: textOrNull(r.continuation, `${what}'s continuation`),
  };
}

function sweep(v: unknown, L: number): ResultLinearize['sweep'] {
  if (v === null) return null;
  need(isRecord(v), 'the sweep is malformed');
  const s = v as Record<string, unknown>;
  need(Array.isArray(s.blocks) && s.blocks.length === L, 'the sweep does not have one entry per block');
  const blocks = (s.blocks as unknown[]).map((b, l) => {
    need(isRecord(b) && b.block === l, `the sweep's block ${l} is malformed`);
    const x = b as Record<string, unknown>;
    need(x.linearity === null || isNum(x.linearity), `the sweep's block ${l}: linearity is not a number`);
    return {
      block: l,
      linearity: x.linearity as number | null,
      linear: x.linear === null ? null : metrics(x.linear, `the sweep's block ${l} linearized`),
      skip: metrics(x.skip, `the sweep's block ${l} skipped`),
    };
  });
  const c = s.cumulative;
  need(isRecord(c), 'the cumulative curve is malformed');
  const order = blockList(c.order, L, 'the cumulative order');
  need(
    Array.isArray(c.steps) && c.steps.length === order.length,
    'the cumulative curve does not have one step per block in its order',
  );
  const steps = (c.steps as unknown[]).map((m, k) => metrics(m, `cumulative step ${k + 1}`));
  return { blocks, cumulative: { order, steps } };
}

/**
 * `value` as a `ResultLinearize` for a model of `L` blocks and a text of `T` tokens, or throws
 * `LinearizeInvalid` saying what is wrong.
 */
export function checkLinearize(value: unknown, L: number, T: number): ResultLinearize {
  need(isRecord(value), 'it is not an object');
  const v = value as Record<string, unknown>;
  const m = v.maps;
  need(isRecord(m), 'its maps are malformed');
  need(m.source === 'reference' || m.source === 'self', 'its maps name an unknown source');
  need(typeof m.name === 'string' && m.name.length <= 800, "its maps' name is not text");
  need(isCount(m.tokens), "its maps' token count is malformed");
  // In sample exactly when fitted on the text: a file cannot pass reference maps off as either.
  need(m.inSample === (m.source === 'self'), 'its maps are flagged in sample wrongly');
  need(Array.isArray(m.missing) && m.missing.length === L, 'its maps do not have one entry per block');
  const missing = (m.missing as unknown[]).map((x) => textOrNull(x, 'a missing map reason'));
  need(isCount(v.positions), 'its position count is malformed');
  const o = v.original;
  need(isRecord(o) && isNum(o.loss) && isNum(o.perplexity), "the original model's loss is malformed");
  need(Array.isArray(v.runs) && v.runs.length <= MAX_LINEARIZE_RUNS, 'its runs are malformed or too many');
  return {
    maps: {
      source: m.source,
      name: m.name,
      tokens: m.tokens,
      inSample: m.inSample as boolean,
      missing,
    },
    positions: v.positions,
    original: {
      loss: o.loss as number,
      perplexity: o.perplexity as number,
      continuation: textOrNull(o.continuation, "the original's continuation"),
    },
    runs: (v.runs as unknown[]).map((r, i) => run(r, L, T, i)),
    sweep: sweep(v.sweep ?? null, L),
  };
}
