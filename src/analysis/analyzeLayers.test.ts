import { describe, expect, it } from 'vitest';
import type { AnalysisProgress } from './abort';
import { analyzeLayers, splitTokens } from './analyzeLayers';
import { hiddenStates } from './hiddenStates';
import { fitReferenceMaps } from './perTokenNonlinearity';
import { assertClose } from './testing/asserts';
import { loadFixture } from './testing/fixture';

interface PairRef {
  pair: [number, number];
  linearity: number | null;
  linearityNoResidual: number | null;
  n: number;
  d: number;
  rank: number | null;
  chanceFloor: number | null;
  heldOutSplit: { linearity: number; linearityNoResidual: number; n: number; nFit: number } | null;
  cosine: number;
  updateRatio: number;
}
interface StateRef {
  index: number;
  anisotropy: number;
  intrinsicDimension: number | null;
}
interface AnalysisRef {
  layers: PairRef[];
  states: StateRef[];
  massiveTokens?: number[];
}

function compare(actual: ReturnType<typeof analyzeLayers>, want: AnalysisRef, label: string): void {
  expect(actual.layers.length).toBe(want.layers.length);
  actual.layers.forEach((got, l) => {
    const w = want.layers[l];
    const at = `${label} pair ${l}`;
    expect(got.pair).toEqual(w.pair);
    expect([got.n, got.d]).toEqual([w.n, w.d]);
    assertClose(got.linearity, w.linearity, 1e-9, `${at} linearity`);
    assertClose(got.linearityNoResidual, w.linearityNoResidual, 1e-9, `${at} no residual`);
    assertClose(got.chanceFloor, w.chanceFloor, 1e-15, `${at} floor`);
    expect(got.rank).toBe(w.rank);
    if (w.heldOutSplit === null) {
      expect(got.heldOut?.linearity ?? null).toBeNull();
    } else {
      expect(got.heldOut?.source).toBe('split');
      expect([got.heldOut?.n, got.heldOut?.nFit]).toEqual([w.heldOutSplit.n, w.heldOutSplit.nFit]);
      assertClose(got.heldOut?.linearity ?? null, w.heldOutSplit.linearity, 1e-9, `${at} held out`);
      assertClose(
        got.heldOut?.linearityNoResidual ?? null,
        w.heldOutSplit.linearityNoResidual,
        1e-9,
        `${at} held out u`,
      );
    }
    assertClose(got.cosine, w.cosine, 1e-12, `${at} cosine`);
    assertClose(got.updateRatio, w.updateRatio, 1e-12, `${at} update ratio`);
  });
  actual.states.forEach((got, s) => {
    assertClose(got.anisotropy, want.states[s].anisotropy, 1e-9, `${label} anisotropy ${s}`);
    assertClose(got.intrinsicDimension, want.states[s].intrinsicDimension, 1e-9, `${label} twoNN ${s}`);
  });
}

describe('analyzeLayers', () => {
  it("analyzeLayers(states) matches the numpy reference on the 'small' fixture (all tokens)", () => {
    const f = loadFixture('small');
    const got = analyzeLayers(f.states(), { intrinsicDimension: true });
    compare(got, f.doc.metrics.all as AnalysisRef, 'small');
    expect(got.excludedTokens).toEqual([]);
    expect(got.layers.map((p) => [p.isFirst, p.isLast])).toEqual([
      [true, false],
      [false, false],
      [false, true],
    ]);
    expect(got.perToken).toBeNull();
  });

  it('analyzeLayers(states, {excludeMassive}) finds BOS and the sink token and matches the reference without them', () => {
    const f = loadFixture('small');
    const want = f.doc.metrics.excludeMassive as AnalysisRef;
    const got = analyzeLayers(f.states(), { excludeMassive: true, intrinsicDimension: true });
    expect(got.excludedTokens).toEqual(want.massiveTokens);
    expect(got.excludedTokens).toEqual([0, 5]);
    compare(got, want, 'small/massive');
    // Without the two sinks the residual-stream scores are near 1, as in the paper.
    for (const p of got.layers) expect(p.linearity).toBeGreaterThan(0.97);
  });

  it('analyzeLayers(states, {excludeBos}) matches the reference without token 0', () => {
    const f = loadFixture('small');
    const got = analyzeLayers(f.states(), { excludeBos: true, intrinsicDimension: true });
    expect(got.excludedTokens).toEqual([0]);
    compare(got, f.doc.metrics.excludeBos as AnalysisRef, 'small/bos');
  });

  it('analyzeLayers(states, {excludeTokens}) leaves out the rows listed (numpy without tokens 0 and 5)', () => {
    const f = loadFixture('small');
    // The numpy reference of excludeMassive left out exactly these two rows.
    const want = f.doc.metrics.excludeMassive as AnalysisRef;
    expect(want.massiveTokens).toEqual([0, 5]);
    const got = analyzeLayers(f.states(), { excludeTokens: [5, 0], intrinsicDimension: true });
    expect(got.excludedTokens).toEqual([0, 5]);
    compare(got, want, 'small/excludeTokens');
    expect(() => analyzeLayers(f.states(), { excludeTokens: [f.states().tokens] })).toThrow(RangeError);
  });

  it("analyzeLayers(states) on the 'short' fixture (n <= d) gives null scores with a reason", () => {
    const f = loadFixture('short');
    const got = analyzeLayers(f.states(), { intrinsicDimension: true });
    compare(got, f.doc.metrics.all as AnalysisRef, 'short');
    for (const p of got.layers) {
      expect(p.linearity).toBeNull();
      expect(p.linearityNoResidual).toBeNull();
      expect(p.chanceFloor).toBeNull();
      expect(p.reason).toContain('20 tokens for 32 features');
      expect(p.heldOut?.reason).toContain('fit part');
    }
  });

  it("analyzeLayers(states) on the 'degenerate' fixture (duplicates, constant and collinear features) matches lstsq", () => {
    const f = loadFixture('degenerate');
    const got = analyzeLayers(f.states(), { intrinsicDimension: true });
    compare(got, f.doc.metrics.all as AnalysisRef, 'degenerate');
    expect(got.layers[0].rank).toBe(14);
  });

  it('analyzeLayers(states, {reference}) scores held-out linearity and per-token values with the reference maps', () => {
    const f = loadFixture('small');
    const reference = fitReferenceMaps(f.states('reference_states'));
    const got = analyzeLayers(f.states(), { reference, companions: false });
    const want = f.doc.metrics.heldOutReference as {
      linearity: number;
      linearityNoResidual: number;
      n: number;
      nFit: number;
    }[];
    got.layers.forEach((p, l) => {
      expect(p.heldOut?.source).toBe('reference');
      expect([p.heldOut?.n, p.heldOut?.nFit]).toEqual([160, 400]);
      assertClose(p.heldOut?.linearity ?? null, want[l].linearity, 1e-9, `held out ${l}`);
      assertClose(
        p.heldOut?.linearityNoResidual ?? null,
        want[l].linearityNoResidual,
        1e-9,
        `held out u ${l}`,
      );
      expect(p.cosine).toBeNull();
    });
    const perToken = (f.doc.metrics.perToken as { relative: number[][] }).relative;
    expect(got.perToken?.relative.length).toBe(3);
    got.perToken?.relative.forEach((row, l) => {
      assertClose(row, perToken[l], 1e-7 * Math.max(...perToken[l]), `relative ${l}`);
    });
  });

  it('analyzeLayers reports progress once per pair and stops on an aborted signal', () => {
    const f = loadFixture('small');
    const seen: AnalysisProgress[] = [];
    analyzeLayers(f.states(), {}, { onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([1, 2, 3].map((done) => ({ stage: 'score', done, total: 3 })));

    const controller = new AbortController();
    let calls = 0;
    const run = () =>
      analyzeLayers(
        f.states(),
        {},
        {
          signal: controller.signal,
          onProgress: () => {
            calls++;
            controller.abort();
          },
        },
      );
    expect(run).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(calls).toBe(1);
  });
});

describe('analyzeLayers (pairs)', () => {
  it('analyzeLayers(states, {pairs}) gives the same records as a full run for the chosen pairs', () => {
    const f = loadFixture('small');
    const reference = fitReferenceMaps(f.states('reference_states'));
    const full = analyzeLayers(f.states(), { reference });
    const part = analyzeLayers(f.states(), { reference, pairs: [2, 0] });
    expect(part.layers.map((p) => p.pair)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(part.layers[0]).toEqual(full.layers[0]);
    expect(part.layers[1]).toEqual(full.layers[2]);
    expect(part.states.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(part.states).toEqual(full.states);
    expect(Array.from(part.perToken?.relative[2] ?? [])).toEqual(
      Array.from(full.perToken?.relative[2] ?? []),
    );
    expect(Number.isNaN(part.perToken?.relative[1][0])).toBe(true);
    expect(() => analyzeLayers(f.states(), { pairs: [3] })).toThrow('pair 3 outside 0..2');
  });
});

describe('splitTokens', () => {
  it('splitTokens(tokens, 0.25) holds out the last quarter (halves round up, at least one)', () => {
    const t = Int32Array.from({ length: 10 }, (_, i) => i);
    const s = splitTokens(t, 0.25);
    expect(Array.from(s.fit)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(s.evaluate)).toEqual([7, 8, 9]);
    expect(Array.from(splitTokens(t, 0.2).evaluate)).toEqual([8, 9]);
    expect(Array.from(splitTokens(t, 0.01).evaluate)).toEqual([9]);
    expect(() => splitTokens(t, 1)).toThrow('fraction 1');
  });
});

describe('analyzeLayers() onPair', () => {
  it('hands over each pair record as soon as it is scored, in order, the same records it returns', () => {
    const L = 3;
    const T = 40;
    const d = 4;
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647 - 0.5;
    };
    const data = Float32Array.from({ length: (L + 1) * T * d }, random);
    const seen: number[] = [];
    const records: unknown[] = [];
    const result = analyzeLayers(
      hiddenStates(data, L + 1, T, d),
      {},
      {
        onPair: (r) => {
          seen.push(r.pair[0]);
          records.push(r);
        },
      },
    );
    expect(seen).toEqual([0, 1, 2]);
    expect(records).toEqual(result.layers);
  });
});
