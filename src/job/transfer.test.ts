import { describe, expect, it } from 'vitest';
import { transferableBuffers } from './transfer';

describe('transferableBuffers(value)', () => {
  it('finds the buffer of every typed array that owns it, once, however deep; skips views, shared and empty ones', () => {
    const a = new Float64Array(4);
    const view = new Uint8Array(a.buffer, 8, 8);
    const b = new Uint8Array(3);
    const viewOfBig = new Float32Array(new ArrayBuffer(1024), 16, 4);
    const shared = new Float32Array(new SharedArrayBuffer(16));
    const message = {
      type: 'fitted',
      fit: { pairs: [{ map: { w: a, mean: view } }, null], rows: [b, b] },
      states: shared,
      empty: new Float64Array(0),
      slice: viewOfBig,
      n: 3,
      label: 'x',
    };
    const buffers = transferableBuffers(message);
    expect(buffers).toHaveLength(2);
    expect(buffers).toContain(a.buffer);
    expect(buffers).toContain(b.buffer);
  });

  it('gives nothing for plain data, and survives cycles', () => {
    const cyclic: { self?: unknown; n: number[] } = { n: [1, 2] };
    cyclic.self = cyclic;
    expect(transferableBuffers(cyclic)).toEqual([]);
    expect(transferableBuffers(null)).toEqual([]);
  });

  it('makes a list structuredClone accepts, moving the arrays', () => {
    const rows = [Float64Array.of(1, 2), Float64Array.of(3)];
    const copy = structuredClone({ rows }, { transfer: transferableBuffers({ rows }) });
    expect(copy.rows.map((r) => Array.from(r))).toEqual([[1, 2], [3]]);
    expect(rows[0].length).toBe(0);
  });
});
