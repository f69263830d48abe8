import { describe, expect, it } from 'vitest';
import { hiddenStates } from '../hiddenStates';
import { assertClose } from './asserts';
import { type Fixture, loadFixture } from './fixture';
import { type FinalNorm, logitLens } from './logitLensOracle';

interface LensRef {
  topId: number[][];
  topProb: number[][];
  nextTokenLoss: (number | null)[][];
}

function normOf(f: Fixture): FinalNorm {
  const meta = f.doc.norm as { kind: 'layernorm' | 'rmsnorm'; eps: number };
  return meta.kind === 'layernorm'
    ? { kind: 'layernorm', weight: f.float32('norm_weight'), bias: f.float32('norm_bias'), eps: meta.eps }
    : { kind: 'rmsnorm', weight: f.float32('norm_weight'), eps: meta.eps };
}

function lensOf(f: Fixture) {
  const vocab = f.doc.vocab as number;
  const bias = f.doc.arrays.unembedding_bias ? f.float32('unembedding_bias') : null;
  return {
    norm: normOf(f),
    unembedding: { weight: f.float32('unembedding'), vocab, bias },
    inputIds: f.int32('input_ids'),
  };
}

describe('logitLens', () => {
  for (const name of ['small', 'short'] as const) {
    it(`logitLens(states, {norm, unembedding, inputIds}) matches numpy top token, probability and next-token loss ('${name}')`, () => {
      const f = loadFixture(name);
      const h = f.states();
      const got = logitLens(h, lensOf(f));
      const want = f.doc.metrics.logitLens as LensRef;
      for (let s = 0; s < h.states; s++) {
        const row = (a: ArrayLike<number>) => Array.from(a).slice(s * h.tokens, (s + 1) * h.tokens);
        expect(row(got.topId)).toEqual(want.topId[s]);
        assertClose(row(got.topProb), want.topProb[s], 1e-10, `prob ${s}`);
        assertClose(row(got.nextTokenLoss), want.nextTokenLoss[s], 1e-9, `loss ${s}`);
      }
    });
  }

  it('logitLens with normalizeLast on the raw last block output equals the lens on the normed last state', () => {
    const f = loadFixture('small');
    const h = f.states();
    const T = h.tokens;
    const d = h.hidden;
    const lens = lensOf(f);
    const last = logitLens(h, lens);
    const raw = hiddenStates(
      Float32Array.from([...h.data.subarray(0, T * d), ...f.float32('last_block_output')]),
      2,
      T,
      d,
    );
    const normed = logitLens(raw, { ...lens, normalizeLast: true });
    expect(Array.from(normed.topId.subarray(T))).toEqual(Array.from(last.topId.subarray(3 * T)));
    // float32 rounding of the stored normed state is the only difference.
    assertClose(
      normed.nextTokenLoss.subarray(T, 2 * T - 1),
      last.nextTokenLoss.subarray(3 * T, 4 * T - 1),
      1e-5,
      'loss',
    );
  });

  it('logitLens picks the token whose unembedding row matches the normed state, with softmax probability', () => {
    // d = 2, vocab 3, RMSNorm with unit weight: state (3, 4) -> (3, 4) / sqrt(12.5) = (0.849, 1.131).
    const h = hiddenStates(Float32Array.from([3, 4, 3, 4]), 2, 1, 2);
    const w = Float32Array.from([1, 0, 0, 1, -1, -1]);
    const got = logitLens(h, {
      norm: { kind: 'rmsnorm', weight: Float32Array.from([1, 1]), eps: 0 },
      unembedding: { weight: w, vocab: 3 },
    });
    const z = [3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5)];
    const logits = [z[0], z[1], -z[0] - z[1]];
    const p = Math.exp(logits[1]) / logits.reduce((a, v) => a + Math.exp(v), 0);
    expect(got.topId[0]).toBe(1);
    assertClose(got.topProb[0], p, 1e-12, 'p');
    // State 1 is the last one and is used as is (already after the final norm): logits (3, 4, -7).
    assertClose(got.topProb[1], Math.exp(4) / (Math.exp(3) + Math.exp(4) + Math.exp(-7)), 1e-12, 'p last');
    expect(Number.isNaN(got.nextTokenLoss[0])).toBe(true);
  });

  it('logitLens reports progress in (state, position) rows and stops on an aborted signal', () => {
    const f = loadFixture('small');
    const seen: number[] = [];
    logitLens(f.states(), { ...lensOf(f), inputIds: undefined }, { onProgress: (p) => seen.push(p.done) });
    expect(seen).toEqual([512, 640]);
    const controller = new AbortController();
    controller.abort();
    expect(() => logitLens(f.states(), lensOf(f), { signal: controller.signal })).toThrow(
      expect.objectContaining({ name: 'AbortError' }),
    );
  });

  it('logitLens throws with the sizes when the unembedding does not match d', () => {
    const h = hiddenStates(new Float32Array(8), 2, 2, 2);
    expect(() =>
      logitLens(h, {
        norm: { kind: 'rmsnorm', weight: new Float32Array(2), eps: 1e-6 },
        unembedding: { weight: new Float32Array(9), vocab: 3 },
      }),
    ).toThrow('9 values, expected 3 x 2');
  });
});
