import { describe, expect, it } from 'vitest';
import {
  clampWindow,
  initialWindow,
  panWindow,
  showsWholeText,
  windowAfterKey,
  windowLimits,
  windowShowingToken,
  zoomWindow,
} from './heatmapWindow';

// A 20,000-token text in a 600 px grid: 13 to 150 tokens at once (48 to 4 px columns).
const TOTAL = 20_000;
const limits = windowLimits(TOTAL, 600);

describe('windowLimits(total, available) and showsWholeText', () => {
  it('allows 4 to 48 px columns, never more tokens than the text has', () => {
    expect(limits).toEqual({ minSpan: 13, maxSpan: 150 });
    expect(windowLimits(60, 600)).toEqual({ minSpan: 13, maxSpan: 60 });
    expect(windowLimits(5, 600)).toEqual({ minSpan: 5, maxSpan: 5 });
    expect(showsWholeText(150, limits)).toBe(true);
    expect(showsWholeText(151, windowLimits(151, 600))).toBe(false);
  });
});

describe('initialWindow(total, available, limits)', () => {
  it('is the whole text when it fits, else its start at 8 px columns', () => {
    expect(initialWindow(100, 600, windowLimits(100, 600))).toEqual({ start: 0, end: 100 });
    expect(initialWindow(TOTAL, 600, limits)).toEqual({ start: 0, end: 75 });
  });
});

describe('clampWindow(window, total, limits)', () => {
  it('keeps the window inside the text and its span inside the limits, about its centre', () => {
    expect(clampWindow({ start: -10, end: 40 }, TOTAL, limits)).toEqual({ start: 0, end: 50 });
    expect(clampWindow({ start: 19_990, end: 20_050 }, TOTAL, limits)).toEqual({
      start: 19_940,
      end: 20_000,
    });
    expect(clampWindow({ start: 1000, end: 2000 }, TOTAL, limits)).toEqual({ start: 1425, end: 1575 });
    expect(clampWindow({ start: 500, end: 502 }, TOTAL, limits)).toEqual({ start: 495, end: 508 });
    expect(clampWindow({ start: 3, end: 9 }, 0, limits)).toEqual({ start: 0, end: 0 });
  });
});

describe('zoomWindow(window, factor, anchor, total, limits)', () => {
  it('keeps the anchor token where it is on screen', () => {
    const w = { start: 1000, end: 1100 };
    const zoomed = zoomWindow(w, 0.5, 1025, TOTAL, limits);
    expect(zoomed).toEqual({ start: 1013, end: 1063 });
    // The anchor was a quarter in and stays a quarter in (to the nearest token).
    expect((1025 - zoomed.start) / (zoomed.end - zoomed.start)).toBeCloseTo(0.25, 1);
  });

  it('stops at the limits and at the text’s ends', () => {
    const w = { start: 1000, end: 1100 };
    expect(zoomWindow(w, 10, 1050, TOTAL, limits)).toEqual({ start: 975, end: 1125 });
    expect(
      zoomWindow(w, 0.01, 1050, TOTAL, limits).end - zoomWindow(w, 0.01, 1050, TOTAL, limits).start,
    ).toBe(13);
    expect(zoomWindow({ start: 0, end: 100 }, 1.5, 0, TOTAL, limits)).toEqual({ start: 0, end: 150 });
    expect(zoomWindow(w, 1, 1050, TOTAL, limits)).toBe(w);
  });
});

describe('panWindow(window, delta, total, limits)', () => {
  it('moves by whole tokens and stops at either end', () => {
    expect(panWindow({ start: 100, end: 200 }, 30.4, TOTAL, limits)).toEqual({ start: 130, end: 230 });
    expect(panWindow({ start: 100, end: 200 }, -500, TOTAL, limits)).toEqual({ start: 0, end: 100 });
    expect(panWindow({ start: 100, end: 200 }, 1e9, TOTAL, limits)).toEqual({ start: 19_900, end: 20_000 });
  });
});

describe('windowShowingToken(window, token, total, limits, mode)', () => {
  const w = { start: 100, end: 200 };
  it('leaves a window that shows the token as it is', () => {
    expect(windowShowingToken(w, 150, TOTAL, limits, 'centre')).toEqual(w);
    expect(windowShowingToken(w, 199, TOTAL, limits, 'edge')).toEqual(w);
  });

  it('centres a token picked elsewhere, keeping the span', () => {
    expect(windowShowingToken(w, 12_345, TOTAL, limits, 'centre')).toEqual({ start: 12_295, end: 12_395 });
    expect(windowShowingToken(w, 19_999, TOTAL, limits, 'centre')).toEqual({ start: 19_900, end: 20_000 });
    expect(windowShowingToken(w, 3, TOTAL, limits, 'centre')).toEqual({ start: 0, end: 100 });
  });

  it('moves just far enough for a cursor stepping past an edge', () => {
    expect(windowShowingToken(w, 200, TOTAL, limits, 'edge')).toEqual({ start: 101, end: 201 });
    expect(windowShowingToken(w, 99, TOTAL, limits, 'edge')).toEqual({ start: 99, end: 199 });
  });
});

describe('windowAfterKey(window, key, total, limits)', () => {
  const w = { start: 1000, end: 1100 };
  it('moves a quarter window per arrow, a window per page, to the ends with Home and End', () => {
    expect(windowAfterKey(w, 'ArrowRight', TOTAL, limits)).toEqual({ start: 1025, end: 1125 });
    expect(windowAfterKey(w, 'ArrowLeft', TOTAL, limits)).toEqual({ start: 975, end: 1075 });
    expect(windowAfterKey(w, 'PageDown', TOTAL, limits)).toEqual({ start: 1100, end: 1200 });
    expect(windowAfterKey(w, 'PageUp', TOTAL, limits)).toEqual({ start: 900, end: 1000 });
    expect(windowAfterKey(w, 'Home', TOTAL, limits)).toEqual({ start: 0, end: 100 });
    expect(windowAfterKey(w, 'End', TOTAL, limits)).toEqual({ start: 19_900, end: 20_000 });
  });

  it('zooms about the centre with + and −, and ignores other keys', () => {
    expect(windowAfterKey(w, '+', TOTAL, limits)).toEqual({ start: 1017, end: 1084 });
    expect(windowAfterKey(w, '-', TOTAL, limits)).toEqual({ start: 975, end: 1125 });
    expect(windowAfterKey(w, 'a', TOTAL, limits)).toBeNull();
  });
});
