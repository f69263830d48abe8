import { interpolateRdBu } from 'd3';
import { describe, expect, it } from 'vitest';
import { lossChangeScale } from './lossChangeScale';

describe('lossChangeScale(values)', () => {
  // The first loss changes of the CLI's run linearizing block 2 of tiny-gpt2 (nats).
  const values = [0.28404784202575684, 0.07391786575317383, 0.5973920822143555, -0.4689803123474121, null];
  const scale = lossChangeScale(values);

  it('is symmetric around 0, out to the largest absolute change', () => {
    expect(scale.domain).toEqual([-0.5973920822143555, 0.5973920822143555]);
    expect(scale.ticks).toEqual([-0.5973920822143555, 0, 0.5973920822143555]);
  });

  it('puts no change at the middle of RdBu, loss up towards red and loss down towards blue', () => {
    expect(scale.t(0)).toBe(0.5);
    expect(scale.color(0)).toBe(interpolateRdBu(0.5));
    expect(scale.t(0.5973920822143555)).toBe(0);
    expect(scale.color(0.5973920822143555)).toBe(interpolateRdBu(0));
    expect(scale.t(-0.4689803123474121)).toBeCloseTo(0.5 + 0.4689803123474121 / (2 * 0.5973920822143555), 12);
    // rgb(103, 0, 31): dark red; rgb(5, 48, 97): dark blue.
    expect(interpolateRdBu(0)).toBe('rgb(103, 0, 31)');
    expect(interpolateRdBu(1)).toBe('rgb(5, 48, 97)');
  });

  it('clamps values past the ends, and picks readable text', () => {
    expect(scale.t(5)).toBe(0);
    expect(scale.t(-5)).toBe(1);
    expect(scale.textColor(0.5973920822143555)).toBe('#ffffff');
    expect(scale.textColor(0)).toBe('#000000');
    expect(scale.textColor(-0.5973920822143555)).toBe('#ffffff');
  });

  it('falls back to ±1 when nothing changed or nothing is known', () => {
    expect(lossChangeScale([0, 0, null]).domain).toEqual([-1, 1]);
    expect(lossChangeScale([]).domain).toEqual([-1, 1]);
  });
});
