import { describe, expect, it } from 'vitest';
import { loadLinearizeExample } from './exampleResult.testing';
import { sweepLayout } from './sweepLayout';

const { linearize } = loadLinearizeExample();
const sweep = linearize.sweep!;

describe('sweepLayout(linearize, width)', () => {
  const { blocks, cumulative } = sweepLayout(linearize, 400);

  it('draws each block linearized and skipped at its loss increase', () => {
    const [linearized, skipped] = blocks.series;
    expect(linearized.key).toBe('linearized');
    expect(linearized.points.map((p) => p.value)).toEqual([
      0.3055157377384603, 0.11887144312883446, 0.043258454340199926, 0.17758840640696416,
    ]);
    expect(skipped.points.map((p) => p.value)).toEqual(sweep.blocks.map((b) => b.skip.lossIncrease));
    expect(linearized.blocks).toEqual([0, 1, 2, 3]);
    // Skipping block 0 costs the most: +3.89 nats, the top of the axis (nice: 4).
    expect(blocks.yDomain).toEqual([0, 4]);
    expect(skipped.points[0].y).toBeCloseTo(blocks.y(3.890099757816643), 12);
    expect(blocks.y(4)).toBe(blocks.margin.top);
    expect(blocks.zeroY).toBe(240 - blocks.margin.bottom);
  });

  it('spaces blocks evenly over the width, labelled by block', () => {
    const xs = blocks.series[0].points.map((p) => p.x);
    const step = (400 - blocks.margin.left - blocks.margin.right) / 4;
    expect(xs[0]).toBeCloseTo(blocks.margin.left + step / 2, 9);
    expect(xs[3] - xs[2]).toBeCloseTo(step, 9);
    expect(blocks.xTicks.map((t) => t.label)).toEqual(['0', '1', '2', '3']);
  });

  it('draws the cumulative curve in the most-linear-first order, each step labelled with the block it adds', () => {
    const [curve] = cumulative.series;
    expect(curve.blocks).toEqual([2, 3, 1, 0]);
    expect(curve.points.map((p) => p.value)).toEqual(sweep.cumulative.steps.map((m) => m.lossIncrease));
    expect(curve.points.map((p) => p.value)[3]).toBe(0.5097978607130549);
    expect(cumulative.xTicks.map((t) => [t.label, t.sublabel])).toEqual([
      ['1', '+2'],
      ['2', '+3'],
      ['3', '+1'],
      ['4', '+0'],
    ]);
    expect(cumulative.yDomain).toEqual([0, 0.6]);
  });

  it('makes a block without a map a gap with its reason, and extends the axis below 0 when a map helps', () => {
    const edited = structuredClone(linearize);
    edited.maps.missing[1] = 'n <= d: 13 tokens for 128 features';
    edited.sweep!.blocks[1].linear = null;
    edited.sweep!.blocks[2].linear!.lossIncrease = -0.2;
    const layout = sweepLayout(edited, 400).blocks;
    const [linearized] = layout.series;
    expect(linearized.points.map((p) => p.index)).toEqual([0, 2, 3]);
    expect(linearized.gaps).toEqual([
      expect.objectContaining({ index: 1, pending: false, reason: 'n <= d: 13 tokens for 128 features' }),
    ]);
    expect(layout.yDomain[0]).toBeLessThan(0);
    expect(layout.zeroY).toBeLessThan(240 - layout.margin.bottom);
  });

  it('has no points without a sweep', () => {
    const empty = sweepLayout({ ...linearize, sweep: null }, 300);
    expect(empty.blocks.series.every((s) => s.points.length === 0)).toBe(true);
    expect(empty.cumulative.series[0].points).toHaveLength(0);
    expect(empty.cumulative.yDomain).toEqual([0, 1]);
  });
});
