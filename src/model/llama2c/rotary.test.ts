import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../analysis/testing/asserts';
import { interleavedToRotateHalfRows, rotaryTables } from './rotary';

const HEAD_DIM = 8;
const THETA = 10000;

/** llama2.c: rotate pairs (x[2i], x[2i+1]) of one head by pos * theta^(-2i/d). */
function rotateInterleaved(x: readonly number[], pos: number): number[] {
  const out = [...x];
  for (let i = 0; i < HEAD_DIM / 2; i++) {
    const angle = pos / THETA ** ((2 * i) / HEAD_DIM);
    const [a, b] = [x[2 * i], x[2 * i + 1]];
    out[2 * i] = a * Math.cos(angle) - b * Math.sin(angle);
    out[2 * i + 1] = a * Math.sin(angle) + b * Math.cos(angle);
  }
  return out;
}

/** Hugging Face: x * cos + rotate_half(x) * sin with the tables under test. */
function rotateHalfWithTables(
  x: readonly number[],
  pos: number,
  cos: Float32Array,
  sin: Float32Array,
): number[] {
  const half = HEAD_DIM / 2;
  const rotated = x.map((_, j) => (j < half ? -x[j + half] : x[j - half]));
  return x.map((v, j) => v * cos[pos * HEAD_DIM + j] + rotated[j] * sin[pos * HEAD_DIM + j]);
}

describe('interleavedToRotateHalfRows()', () => {
  it('moves row 2i+p of each head to p*d/2+i', () => {
    const rows = Float32Array.from({ length: 2 * HEAD_DIM }, (_, r) => r); // 2 heads, inDim 1
    expect(Array.from(interleavedToRotateHalfRows(rows, 2, HEAD_DIM, 1))).toEqual([
      0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15,
    ]);
  });

  it('turns llama2.c interleaved RoPE into Hugging Face rotate-half RoPE', () => {
    const random = seededRandom(7);
    const inDim = 5;
    const weight = Float32Array.from({ length: HEAD_DIM * inDim }, () => random() * 2 - 1);
    const input = Array.from({ length: inDim }, () => random() * 2 - 1);
    const project = (w: Float32Array) =>
      Array.from({ length: HEAD_DIM }, (_, r) => input.reduce((s, v, c) => s + w[r * inDim + c] * v, 0));
    const permuted = interleavedToRotateHalfRows(weight, 1, HEAD_DIM, inDim);
    const { cos, sin } = rotaryTables(40, HEAD_DIM, THETA);
    for (const pos of [0, 1, 7, 39]) {
      const llama2c = rotateInterleaved(project(weight), pos);
      const hf = rotateHalfWithTables(project(permuted), pos, cos, sin);
      // Same values, in the permuted order: hf[p*4+i] is llama2c[2i+p].
      for (let i = 0; i < HEAD_DIM / 2; i++) {
        expect(hf[i]).toBeCloseTo(llama2c[2 * i], 5);
        expect(hf[i + HEAD_DIM / 2]).toBeCloseTo(llama2c[2 * i + 1], 5);
      }
    }
  });
});

describe('rotaryTables()', () => {
  it('holds cos/sin of position times inverse frequency, duplicated over the two halves', () => {
    const { cos, sin } = rotaryTables(10, HEAD_DIM, THETA);
    expect(cos.length).toBe(10 * HEAD_DIM);
    expect(Array.from(cos.subarray(0, HEAD_DIM))).toEqual(new Array(HEAD_DIM).fill(1));
    expect(Array.from(sin.subarray(0, HEAD_DIM))).toEqual(new Array(HEAD_DIM).fill(0));
    const angle = 9 / THETA ** (2 / HEAD_DIM);
    expect(cos[9 * HEAD_DIM + 1]).toBeCloseTo(Math.cos(angle), 6);
    expect(sin[9 * HEAD_DIM + 1 + HEAD_DIM / 2]).toBeCloseTo(Math.sin(angle), 6);
  });
});
