import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NpyError, readNpy, writeNpy } from './npyFile';
import { readSafetensors } from './safetensors';

const FIXTURES = join(__dirname, '../../tests/fixtures');

/** A .npy header and data made by hand, as NumPy lays them out. */
function npyBytes(header: string, data: Uint8Array, version = 1): Uint8Array {
  const lengthBytes = version === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lengthBytes + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), 8 + lengthBytes);
  out.set(data, 8 + lengthBytes + header.length);
  return out;
}

describe('readNpy', () => {
  it('reads the float32 [3, 200, 64] array NumPy saved (tools/import_fixtures.py), value for value', () => {
    const array = readNpy(new Uint8Array(readFileSync(join(FIXTURES, 'imports/states.npy'))));
    expect(array.kind).toBe('f4');
    expect(array.shape).toEqual([3, 200, 64]);
    // The same states as the source file's first 200 tokens.
    const source = readSafetensors(readFileSync(join(FIXTURES, 'stats/tiny-random-gpt2.states.safetensors')));
    const all = source.tensors.get('hidden_states')?.data as Float32Array;
    const T = 946;
    const d = 64;
    for (const [s, t, f] of [
      [0, 0, 0],
      [1, 17, 33],
      [2, 199, 63],
    ])
      expect(array.data[(s * 200 + t) * d + f]).toBe(all[(s * T + t) * d + f]);
    expect(array.data[0]).not.toBe(0);
  });

  it('reads float64 and float16, version 2 headers, and shapes written with Python 2 longs', () => {
    const f64 = npyBytes(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }\n",
      new Uint8Array(Float64Array.of(1.5, -2.25).buffer),
      2,
    );
    const a = readNpy(f64);
    expect(a.kind).toBe('f8');
    expect(a.shape).toEqual([2, 1]);
    expect([...a.data]).toEqual([1.5, -2.25]);
    const f16 = npyBytes(
      "{'descr': '<f2', 'fortran_order': False, 'shape': (3L,), }\n",
      new Uint8Array(Uint16Array.of(0x3c00, 0xc000, 0).buffer),
    );
    const b = readNpy(f16);
    expect(b.kind).toBe('f2');
    expect(b.shape).toEqual([3]);
    expect([...b.data]).toEqual([0x3c00, 0xc000, 0]);
  });

  it('writes what it reads', () => {
    const data = Float32Array.of(1, 2, 3, 4, 5, 6);
    const back = readNpy(writeNpy({ kind: 'f4', shape: [1, 2, 3], data }));
    expect(back.shape).toEqual([1, 2, 3]);
    expect([...back.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses what it cannot read, saying why', () => {
    const good = writeNpy({ kind: 'f4', shape: [2, 2, 2], data: new Float32Array(8) });
    const refused = (bytes: Uint8Array) => {
      try {
        readNpy(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(NpyError);
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refused(new TextEncoder().encode('{"not": "npy"}'))).toMatch(/magic bytes/);
    expect(refused(good.subarray(0, good.length - 4))).toMatch(
      /needs 32 bytes of data, but it holds 28 \(the file is truncated\)/,
    );
    expect(refused(good.subarray(0, 20))).toMatch(/ends inside its header/);
    const header = (descr: string, fortran = 'False', shape = '(2,)') =>
      `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
    expect(refused(npyBytes(header('>f4'), new Uint8Array(8)))).toMatch(/big-endian/);
    expect(refused(npyBytes(header('<i8'), new Uint8Array(16)))).toMatch(/float16, float32 or float64/);
    expect(refused(npyBytes(header('<f4', 'True'), new Uint8Array(8)))).toMatch(/Fortran order/);
    expect(refused(npyBytes("{'descr': '<f4'}", new Uint8Array(8)))).toMatch(
      /lacks descr, fortran_order or shape/,
    );
    expect(refused(npyBytes(header('<f4', 'False', '(2, -1)'), new Uint8Array(8)))).toMatch(
      /not a list of sizes/,
    );
  });
});
