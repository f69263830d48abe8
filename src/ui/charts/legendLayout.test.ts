import { describe, expect, it } from 'vitest';
import { LEGEND_SWATCH, legendLayout } from './legendLayout';

describe('legendLayout(entries, width)', () => {
  const entries = [
    { key: 'a', label: 'with residual' },
    { key: 'b', label: 'without residual (block update only)' },
    { key: 'c', label: 'chance floor' },
  ] as const;

  it('keeps entries on one row when they fit', () => {
    const l = legendLayout(entries, 1000);
    expect(l.items.map((i) => i.y)).toEqual([9, 9, 9]);
    expect(l.items[0].x).toBe(0);
    expect(l.items[1].x).toBeGreaterThan(LEGEND_SWATCH + 'with residual'.length * 6);
    expect(l.height).toBe(18);
  });

  it('wraps to new rows on a phone, never leaving a row empty', () => {
    const l = legendLayout(entries, 300);
    expect(l.items.map((i) => [i.x, i.y])).toEqual([
      [0, 9],
      [0, 27],
      [0, 45],
    ]);
    expect(l.height).toBe(54);
    // An entry wider than the legend still gets its own row rather than an empty one before it.
    expect(legendLayout(entries, 50).items[0].y).toBe(9);
  });
});
