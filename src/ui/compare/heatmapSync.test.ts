import { describe, expect, it } from 'vitest';
import { highlightedCell, syncedHover } from './heatmapSync';

const same = { kind: 'same-tokens' } as const;
const byPosition = { kind: 'by-position', reason: 'texts differ' } as const;
const none = { kind: 'none', reason: 'no tokens' } as const;

describe('highlightedCell', () => {
  const hover = syncedHover(7, 2, 5, 4); // pair 2 of 4: depth 0.625
  it('is the hovered cell in the heatmap being hovered', () => {
    expect(hover.depth).toBe(0.625);
    expect(highlightedCell(hover, 7, 4, 188, none)).toEqual({ layer: 2, token: 5 });
  });
  it('is the same pair and token in a heatmap of the same depth', () => {
    expect(highlightedCell(hover, 8, 4, 188, same)).toEqual({ layer: 2, token: 5 });
    expect(highlightedCell(hover, 8, 4, 177, byPosition)).toEqual({ layer: 2, token: 5 });
  });
  it('is the nearest pair in depth in a model of another depth', () => {
    expect(highlightedCell(hover, 8, 2, 299, byPosition)).toEqual({ layer: 1, token: 5 });
    expect(highlightedCell(syncedHover(7, 0, 0, 4), 8, 12, 10, same)).toEqual({ layer: 1, token: 0 });
  });
  it('has no token where the position is beyond the text or tokens cannot be matched', () => {
    expect(highlightedCell(syncedHover(7, 1, 150, 4), 8, 4, 100, byPosition)).toEqual({
      layer: 1,
      token: null,
    });
    expect(highlightedCell(hover, 8, 4, 188, none)).toEqual({ layer: 2, token: null });
  });
});
