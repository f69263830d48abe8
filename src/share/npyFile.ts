/**
 * A reader for NumPy's `.npy` format (numpy.lib.format, versions 1.0 to 3.0), for the floating-point
 * arrays LinScope opens as hidden states:
 *
 *   [6 bytes: "\x93NUMPY"] [major, minor] [header length: u16 LE (v1) or u32 LE (v2, v3)]
 *   [header: a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 8, 4), }]
 *   [data: the array's bytes, C order]
 *
 * Only little-endian float16/32/64 in C order is read; anything else is refused with the reason.
 */

export type NpyFloatKind = 'f2' | 'f4' | 'f8';

export interface NpyArray {
  readonly kind: NpyFloatKind;
  readonly shape: readonly number[];
  /** float16 stays as raw half bits (see `halfToNumber` in safetensors.ts). */
  readonly data: Float64Array | Float32Array | Uint16Array;
}

/** Why a `.npy` file cannot be read (the message says what was wrong). */
export class NpyError extends Error {
  override name = 'NpyError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ITEM_BYTES: Record<NpyFloatKind, number> = { f2: 2, f4: 4, f8: 8 };

/** The three keys of the header dict, read with patterns (the header is a Python literal, not JSON). */
function parseHeader(text: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new NpyError('its header lacks descr, fortran_order or shape');
  const parts = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const shape = parts.map((s) => {
    if (!/^\d+L?$/.test(s)) throw new NpyError(`its shape (${shapeText.trim()}) is not a list of sizes`);
    return Number.parseInt(s, 10);
  });
  return { descr, fortranOrder: fortran === 'True', shape };
}

function floatKind(descr: string): NpyFloatKind {
  const match = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (!match) throw new NpyError(`its dtype ${JSON.stringify(descr)} is not a plain number type`);
  const [, order, letter, size] = match;
  const kind = `${letter}${size}`;
  if (letter !== 'f' || !(kind === 'f2' || kind === 'f4' || kind === 'f8'))
    throw new NpyError(`its dtype is ${descr}; LinScope reads float16, float32 or float64 arrays`);
  if (order === '>')
    throw new NpyError(`its dtype is big-endian (${descr}); save it little-endian ('<${kind}')`);
  return kind;
}

/** Reads a `.npy` file of floats. Throws `NpyError` saying what is wrong. */
export function readNpy(bytes: Uint8Array): NpyArray {
  if (bytes.byteLength < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new NpyError('it does not start with the .npy magic bytes (\\x93NUMPY)');
  const major = bytes[6];
  if (major < 1 || major > 3) throw new NpyError(`its format version ${major}.${bytes[7]} is unknown`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.byteLength < 8 + lengthBytes) throw new NpyError('it ends inside its header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.byteLength) throw new NpyError('it ends inside its header');
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(8 + lengthBytes, dataStart),
  );
  const header = parseHeader(headerText);
  const kind = floatKind(header.descr);
  if (header.fortranOrder)
    throw new NpyError('it is stored in Fortran order; save a C-ordered array (np.ascontiguousarray)');
  const count = header.shape.reduce((a, b) => a * b, 1);
  const expected = count * ITEM_BYTES[kind];
  const actual = bytes.byteLength - dataStart;
  if (actual !== expected)
    throw new NpyError(
      `its shape (${header.shape.join(', ')}) of ${kind} needs ${expected} bytes of data, but it holds ${actual}` +
        (actual < expected ? ' (the file is truncated)' : ''),
    );
  // Copy into an aligned buffer of its own (the data need not start at a multiple of 8).
  const copy = new Uint8Array(expected);
  copy.set(bytes.subarray(dataStart));
  const data =
    kind === 'f8'
      ? new Float64Array(copy.buffer)
      : kind === 'f4'
        ? new Float32Array(copy.buffer)
        : new Uint16Array(copy.buffer);
  return { kind, shape: header.shape, data };
}

/** Writes a little-endian C-order `.npy` (version 1.0) of floats: for tests and tools. */
export function writeNpy(array: NpyArray): Uint8Array {
  const descr = `<${array.kind}`;
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces and a newline so that the data starts 64-byte aligned, as NumPy does.
  const unpadded = 10 + header.length + 1;
  header += `${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + array.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(
    new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength),
    10 + header.length,
  );
  return out;
}
