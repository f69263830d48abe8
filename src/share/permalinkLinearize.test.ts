import { describe, expect, it } from 'vitest';
import type { ReplacementMetrics, ResultLinearize } from '../job/result';
import {
  decodePermalink,
  encodePermalink,
  type PermalinkDecode,
  packPermalink,
  TRAILING_SECTION,
  trailingSection,
} from './permalink';
import { linearizeExample, linkBeforeExperiment, syntheticExample } from './permalink.testing';
import { ByteWriter, PermalinkFormatError } from './permalinkBytes';
import { decodeLinearizeSection, encodeLinearizeSection } from './permalinkLinearize';
import { encodeResultSection } from './permalinkResult';
import { shareDocuments, shareStateJson } from './permalinkState';

const { state, result } = linearizeExample();
const linearize = result.linearize as ResultLinearize;
const L = result.model.layers;
const T = result.tokens.length;

function opened(fragment: string): Extract<PermalinkDecode, { ok: true }> {
  const decoded = decodePermalink(fragment);
  if (!decoded.ok) throw new Error(`expected the link to open: ${decoded.message}`);
  return decoded;
}

/** Within float32 rounding: relative 2^-24, absolute below 1. */
function expectFloat32Close(restored: number | null, original: number | null) {
  if (original === null) {
    expect(restored).toBeNull();
    return;
  }
  expect(Math.abs((restored as number) - original)).toBeLessThanOrEqual(
    Math.max(1, Math.abs(original)) * 2 ** -24,
  );
}

function expectMetricsClose(restored: ReplacementMetrics, original: ReplacementMetrics) {
  for (const k of ['loss', 'perplexity', 'lossIncrease', 'top1Changed', 'kl'] as const)
    expectFloat32Close(restored[k], original[k]);
}

function expectExperimentClose(restored: ResultLinearize, original: ResultLinearize) {
  expect(restored.maps).toEqual(original.maps);
  expect(restored.positions).toBe(original.positions);
  expect(restored.original.continuation).toBe(original.original.continuation);
  expectFloat32Close(restored.original.loss, original.original.loss);
  expect(restored.runs).toHaveLength(original.runs.length);
  original.runs.forEach((run, i) => {
    const r = restored.runs[i];
    expect([r.linear, r.skip, r.continuation]).toEqual([run.linear, run.skip, run.continuation]);
    expectMetricsClose(r, run);
    for (const [t, v] of run.lossDelta.entries()) expectFloat32Close(r.lossDelta[t], v);
  });
  expect(restored.sweep?.cumulative.order).toEqual(original.sweep?.cumulative.order);
  original.sweep?.blocks.forEach((b, l) => {
    const r = restored.sweep!.blocks[l];
    expectFloat32Close(r.linearity, b.linearity);
    if (b.linear) expectMetricsClose(r.linear!, b.linear);
    else expect(r.linear).toBeNull();
    expectMetricsClose(r.skip, b.skip);
  });
  for (const [k, m] of (original.sweep?.cumulative.steps ?? []).entries())
    expectMetricsClose(restored.sweep!.cumulative.steps[k], m);
}

describe('the experiment section (encodeLinearizeSection, decodeLinearizeSection)', () => {
  it('round-trips the CLI’s experiment within float32 rounding', () => {
    const bytes = encodeLinearizeSection(linearize);
    // 1 run of 25 loss changes, 4 blocks of sweep, 4 cumulative steps, 3 continuations.
    expect(bytes.length).toBeGreaterThan(400);
    expect(bytes.length).toBeLessThan(700);
    expectExperimentClose(decodeLinearizeSection(bytes, L, T), linearize);
  });

  it('refuses bytes for another model or text, cut bytes and bytes left over', () => {
    const bytes = encodeLinearizeSection(linearize);
    expect(() => decodeLinearizeSection(bytes, L + 1, T)).toThrow(/another number of blocks/);
    expect(() => decodeLinearizeSection(bytes, L, T + 1)).toThrow(PermalinkFormatError);
    expect(() => decodeLinearizeSection(bytes.subarray(0, bytes.length - 3), L, T)).toThrow(/past the end/);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => decodeLinearizeSection(longer, L, T)).toThrow(/left over/);
  });

  it('refuses well-framed bytes that fail the result checks (a block beyond the model)', () => {
    const hostile = { ...linearize, runs: [{ ...linearize.runs[0], linear: [3, 3] }] };
    expect(() => decodeLinearizeSection(encodeLinearizeSection(hostile), L, T)).toThrow(
      /names a block twice/,
    );
  });
});

/** A well-formed head (4 blocks, no reasons), then a run count of 2^31 - 1. */
function manyRuns(): Uint8Array {
  const w = new ByteWriter();
  w.byte(0);
  w.string('reference-en.txt');
  w.varint(1024);
  w.varint(4);
  for (let l = 0; l < 4; l++) w.nullableString(null);
  w.varint(24);
  w.float32(3.4);
  w.float32(30);
  w.nullableString(null);
  w.varint(2 ** 31 - 1);
  return w.finish();
}

describe('permalinks with the experiment', () => {
  it('carry it in a trailing section and restore it', () => {
    const build = encodePermalink(state, result);
    expect(build.contents).toBe('results');
    expect(build.withExperiment).toBe(true);
    expect(build.leftOut).toEqual([]);
    const decoded = opened(build.fragment);
    expect(decoded.notes).toEqual([]);
    expectExperimentClose(decoded.result!.linearize!, linearize);
  });

  it('open a link made before trailing sections existed, without an experiment', () => {
    const decoded = opened(linkBeforeExperiment());
    expect(decoded.notes).toEqual([]);
    expect(decoded.result?.tokens).toHaveLength(T);
    expect(decoded.result?.linearize).toBeUndefined();
    expect(decoded.state.input.text).toBe(state.input.text);
  });

  it('write the same bytes as before when the result has no experiment', () => {
    const { linearize: _, ...plain } = result;
    expect(encodePermalink(state, plain).fragment).toBe(linkBeforeExperiment());
  });

  it('skip trailing sections of unknown tags (a later LinScope’s)', () => {
    const section = encodeResultSection(result, shareDocuments(state.input), true);
    const trailing = trailingSection(9, new Uint8Array([1, 2, 3]));
    const decoded = opened(packPermalink(shareStateJson(state), section, 1, trailing));
    expect(decoded.notes).toEqual([]);
    expect(decoded.result?.linearize).toBeUndefined();
  });

  const section = encodeResultSection(result, shareDocuments(state.input), true);
  const experiment = encodeLinearizeSection(linearize);
  const hostile: { name: string; trailing: Uint8Array; note: RegExp }[] = [
    {
      name: 'a truncated section (its length says more than is left)',
      trailing: trailingSection(TRAILING_SECTION.linearize, experiment).subarray(0, 40),
      note: /malformed \(ran past the end\)/,
    },
    {
      name: 'a section cut short inside (well framed)',
      trailing: trailingSection(TRAILING_SECTION.linearize, experiment.subarray(0, 100)),
      note: /malformed \(ran past the end\)/,
    },
    {
      name: 'a section claiming billions of runs',
      trailing: trailingSection(TRAILING_SECTION.linearize, manyRuns()),
      note: /malformed \(number 2147483647 above its limit 256\)/,
    },
  ];
  for (const h of hostile) {
    it(`drop ${h.name} with a note, the results still open`, () => {
      const decoded = opened(packPermalink(shareStateJson(state), section, 1, h.trailing));
      expect(decoded.result?.layers).toHaveLength(L);
      expect(decoded.result?.linearize).toBeUndefined();
      expect(decoded.notes.join(' ')).toMatch(h.note);
    });
  }

  it('leave the experiment out before the heatmap when the budget is tight', () => {
    const full = encodePermalink(state, result);
    const without = encodePermalink(state, { ...result, linearize: undefined });
    const tight = encodePermalink(state, result, { budget: without.fragment.length + 10 });
    expect(full.fragment.length).toBeGreaterThan(without.fragment.length + 10);
    expect(tight.contents).toBe('results');
    expect(tight.withExperiment).toBe(false);
    expect(tight.leftOut.join(' ')).toMatch(/block-replacement experiment/);
    expect(opened(tight.fragment).result?.linearize).toBeUndefined();
  });

  it('refuse an experiment whose loss changes do not match a longer result (synthetic 2,000 tokens)', () => {
    const big = syntheticExample(2000, 4);
    const bytes = encodeLinearizeSection(linearize);
    expect(() => decodeLinearizeSection(bytes, 4, big.result.tokens.length)).toThrow(PermalinkFormatError);
  });
});
