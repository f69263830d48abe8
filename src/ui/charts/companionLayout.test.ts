import { describe, expect, it } from 'vitest';
import type { ChartResult } from './chartResult';
import { companionPanelLayout, companionSpecs, INTRINSIC_DIMENSION_NOTE } from './companionLayout';
import { loadExampleResult } from './exampleResult.testing';

const result = loadExampleResult();

describe('companionSpecs(result) + companionPanelLayout(spec, width)', () => {
  const specs = companionSpecs(result);

  it('has anisotropy per state and cosine and update ratio per pair, no intrinsic dimension when null', () => {
    expect(specs.map((s) => [s.key, s.over, s.inputs.length])).toEqual([
      ['anisotropy', 'state', 6],
      ['cosine', 'pair', 5],
      ['updateRatio', 'pair', 5],
    ]);
  });

  it('draws each value at y(value)', () => {
    const expected = {
      anisotropy: result.states.map((s) => s.anisotropy),
      cosine: result.layers.map((l) => l.cosine),
      updateRatio: result.layers.map((l) => l.updateRatio),
    };
    for (const spec of specs) {
      const panel = companionPanelLayout(spec, 300);
      expect(panel.points.map((p) => p.value)).toEqual(expected[spec.key as keyof typeof expected]);
      for (const p of panel.points) expect(p.y).toBe(panel.y(p.value));
      expect(panel.yDomain[0]).toBe(0);
    }
    const ratio = companionPanelLayout(specs[2], 300);
    expect(ratio.yDomain[1]).toBeGreaterThanOrEqual(1.3557576687063053);
    expect(companionPanelLayout(specs[1], 300).yDomain).toEqual([0, 1]);
  });

  it('leaves gaps for null values and pending entries', () => {
    const partial: ChartResult = {
      ...result,
      layers: [{ ...result.layers[0], cosine: null }, result.layers[1]],
      states: [result.states[0], result.states[1], { index: 2, anisotropy: 0.1, intrinsicDimension: 7.5 }],
    };
    const [anisotropy, cosine, , id] = companionSpecs(partial).map((s) => companionPanelLayout(s, 260));
    expect(cosine.points.map((p) => p.index)).toEqual([1]);
    expect(cosine.gaps.map((g) => [g.index, g.pending])).toEqual([
      [0, false],
      [2, true],
      [3, true],
      [4, true],
    ]);
    expect(anisotropy.points).toHaveLength(3);
    expect(id.key).toBe('intrinsicDimension');
    expect(companionSpecs(partial)[3].note).toBe(INTRINSIC_DIMENSION_NOTE);
    expect(companionSpecs(partial)[0].note).toBeUndefined();
    expect(id.points.map((p) => p.value)).toEqual([7.5]);
    expect(id.gaps.filter((g) => !g.pending).map((g) => g.index)).toEqual([0, 1]);
  });
});
