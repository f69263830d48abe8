import { describe, expect, it } from 'vitest';
import {
  bfloat16ToNumber,
  getTensor,
  halfToNumber,
  numberToHalf,
  readSafetensors,
  type SafeTensor,
  toFloat32,
  writeSafetensors,
} from './safetensors';

// Written by the Python `safetensors` library (0.8.0, safetensors.numpy.save_file):
//   import numpy as np
//   from safetensors.numpy import save_file
//   save_file({"f32": np.array([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.0]], np.float32),
//              "f16": np.array([1.0, -0.5, 65504.0, 6.1035156e-05], np.float16),
//              "i64": np.array([0, -1, 2**40, 50256], np.int64),
//              "scalar": np.array(3.0, np.float32)},
//             "py.safetensors", metadata={"format": "linscope-test", "note": "written by python"})
//   print(base64.b64encode(open("py.safetensors", "rb").read()).decode())
const PYTHON_FILE_BASE64 =
  'MAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJub3RlIjoid3JpdHRlbiBieSBweXRob24iLCJmb3JtYXQiOiJsaW5zY29wZS10ZXN0In0sImk2NCI6eyJkdHlwZSI6Ikk2NCIsInNoYXBlIjpbNF0sImRhdGFfb2Zmc2V0cyI6WzAsMzJdfSwiZjMyIjp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlsyLDNdLCJkYXRhX29mZnNldHMiOlszMiw1Nl19LCJzY2FsYXIiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6W10sImRhdGFfb2Zmc2V0cyI6WzU2LDYwXX0sImYxNiI6eyJkdHlwZSI6IkYxNiIsInNoYXBlIjpbNF0sImRhdGFfb2Zmc2V0cyI6WzYwLDY4XX19ICAgAAAAAAAAAAD//////////wAAAAAAAQAAUMQAAAAAAAAAAMA/AAAAwAAAUEAAAAAAbxKDOgAA4MAAAEBAADwAuP97AAQ=';

function fromBase64(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

describe('safetensors reader', () => {
  it('reads a file written by the Python safetensors library', () => {
    const file = readSafetensors(fromBase64(PYTHON_FILE_BASE64));
    expect(file.metadata).toEqual({ format: 'linscope-test', note: 'written by python' });
    const f32 = getTensor(file, 'f32');
    expect(f32.dtype).toBe('F32');
    expect(f32.shape).toEqual([2, 3]);
    expect(Array.from(f32.data as Float32Array)).toEqual([1.5, -2, 3.25, 0, Math.fround(1e-3), -7]);
    const f16 = getTensor(file, 'f16');
    expect(f16.dtype).toBe('F16');
    expect(Array.from(toFloat32(f16))).toEqual([1, -0.5, 65504, 2 ** -14]);
    const i64 = getTensor(file, 'i64');
    expect(i64.dtype).toBe('I64');
    expect(Array.from(i64.data as BigInt64Array)).toEqual([0n, -1n, 2n ** 40n, 50256n]);
    const scalar = getTensor(file, 'scalar');
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Float32Array)).toEqual([3]);
  });

  it('rejects truncated or malformed files', () => {
    expect(() => readSafetensors(new Uint8Array(4))).toThrow(/too short/);
    const good = writeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });
    expect(() => readSafetensors(good.subarray(0, good.byteLength - 1))).toThrow(/out of range/);
    const hugeHeader = new Uint8Array(16);
    new DataView(hugeHeader.buffer).setBigUint64(0, 1000n, true);
    expect(() => readSafetensors(hugeHeader)).toThrow(/header length/);
    const badDtype = new TextEncoder().encode('{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}');
    const buf = new Uint8Array(8 + badDtype.byteLength + 2);
    new DataView(buf.buffer).setBigUint64(0, BigInt(badDtype.byteLength), true);
    buf.set(badDtype, 8);
    expect(() => readSafetensors(buf)).toThrow(/unsupported dtype U8/);
  });

  it('reads BF16 as the top half of float32', () => {
    // 1.5 = 0x3fc00000, -2 = 0xc0000000, 3.140625 = 0x40490000 (exact in bfloat16).
    const bits = Uint16Array.of(0x3fc0, 0xc000, 0x4049);
    const file = readSafetensors(writeSafetensors({ b: { dtype: 'BF16', shape: [3], data: bits } }));
    const t = getTensor(file, 'b');
    expect(t.dtype).toBe('BF16');
    expect([...toFloat32(t)]).toEqual([1.5, -2, 3.140625]);
    expect(bfloat16ToNumber(0xc000)).toBe(-2);
  });

  it('throws a clear error for a missing tensor', () => {
    const file = readSafetensors(
      writeSafetensors({ a: { dtype: 'I32', shape: [1], data: new Int32Array([7]) } }),
    );
    expect(() => getTensor(file, 'b')).toThrow(/no tensor named b \(have a\)/);
  });
});

describe('safetensors writer', () => {
  it('round-trips every supported dtype and metadata', () => {
    const tensors: Record<string, SafeTensor> = {
      logits: { dtype: 'F32', shape: [2, 2], data: new Float32Array([0.1, -0.2, 3e10, -0]) },
      ids: { dtype: 'I64', shape: [3], data: new BigInt64Array([1n, -2n, 9007199254740993n]) },
      half: { dtype: 'F16', shape: [2], data: new Uint16Array([numberToHalf(1.5), numberToHalf(-3)]) },
      i32: { dtype: 'I32', shape: [1, 1], data: new Int32Array([-5]) },
      sums: { dtype: 'F64', shape: [2], data: new Float64Array([1 / 3, -1e300]) },
      empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    };
    const bytes = writeSafetensors(tensors, { source: 'test' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ source: 'test' });
    expect([...back.tensors.keys()]).toEqual(Object.keys(tensors));
    for (const [name, t] of Object.entries(tensors)) {
      const r = getTensor(back, name);
      expect(r.dtype).toBe(t.dtype);
      expect(r.shape).toEqual(t.shape);
      expect(Array.from(r.data as ArrayLike<number | bigint>)).toEqual(
        Array.from(t.data as ArrayLike<number | bigint>),
      );
    }
    expect(Array.from(toFloat32(getTensor(back, 'half')))).toEqual([1.5, -3]);
  });

  it('reads from an unaligned view of a larger buffer', () => {
    const bytes = writeSafetensors({ x: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) } });
    const big = new Uint8Array(bytes.byteLength + 3);
    big.set(bytes, 3);
    const t = getTensor(readSafetensors(big.subarray(3)), 'x');
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2, 3]);
  });

  it('reads a Node Buffer (whose slice() is a view, not a copy) into arrays of the tensor alone', () => {
    const bytes = writeSafetensors({
      ids: { dtype: 'I64', shape: [2], data: BigInt64Array.of(7n, 511n) },
      x: { dtype: 'F32', shape: [1], data: Float32Array.of(0.5) },
    });
    const ids = getTensor(readSafetensors(Buffer.from(bytes)), 'ids');
    expect(ids.data.length).toBe(2);
    expect(Array.from(ids.data as BigInt64Array)).toEqual([7n, 511n]);
  });

  it('rejects inconsistent tensors', () => {
    expect(() => writeSafetensors({ a: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(
      /2 elements/,
    );
    expect(() => writeSafetensors({ a: { dtype: 'I64', shape: [2], data: new Float32Array(2) } })).toThrow(
      /does not match dtype/,
    );
  });
});

describe('float16 conversion', () => {
  it('converts special and boundary values', () => {
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0xc000)).toBe(-2);
    expect(halfToNumber(0x7bff)).toBe(65504);
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(halfToNumber(0x7e00))).toBe(true);
    expect(Object.is(halfToNumber(0x8000), -0)).toBe(true);
  });

  it('rounds to nearest even and round-trips every finite half', () => {
    expect(numberToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(numberToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(numberToHalf(70000)).toBe(0x7c00); // overflow -> inf
    expect(numberToHalf(2 ** -26)).toBe(0); // underflow
    const mismatches: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) !== 0x7c00 && numberToHalf(halfToNumber(h)) !== h) mismatches.push(h);
    }
    expect(mismatches).toEqual([]);
  });
});
