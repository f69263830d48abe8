/**
 * Minimal, dependency-free reader and writer for the safetensors format
 * (https://github.com/huggingface/safetensors):
 *
 *   [8 bytes: header length N, unsigned little-endian 64-bit]
 *   [N bytes: UTF-8 JSON header, { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {..} }]
 *   [data: little-endian tensor bytes; offsets are relative to the start of this section]
 *
 * Supported dtypes: F64, F32, F16 and BF16 (both kept as raw bits in a Uint16Array; see `toFloat32`),
 * I64 (BigInt64Array) and I32.
 */

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32';

export type TensorData = Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array;

export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: TensorData;
}

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
};

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(BYTES_PER_ELEMENT, value);
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function viewAs(dtype: SafetensorsDtype, bytes: Uint8Array): TensorData {
  // Copy so that the typed array is aligned and independent of the source buffer. Not
  // `bytes.slice()`: on a Node Buffer that is a view into the (pooled) file buffer, not a copy.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const buffer = copy.buffer;
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer);
    case 'F32':
      return new Float32Array(buffer);
    case 'F16':
    case 'BF16':
      return new Uint16Array(buffer);
    case 'I64':
      return new BigInt64Array(buffer);
    case 'I32':
      return new Int32Array(buffer);
  }
}

function expectedDtypeOf(data: TensorData): SafetensorsDtype[] {
  if (data instanceof Float64Array) return ['F64'];
  if (data instanceof Float32Array) return ['F32'];
  if (data instanceof Uint16Array) return ['F16', 'BF16'];
  if (data instanceof BigInt64Array) return ['I64'];
  return ['I32'];
}

/** Parses a safetensors file. Throws on malformed input or unsupported dtypes. */
export function readSafetensors(input: ArrayBuffer | Uint8Array): SafetensorsFile {
  if (!isLittleEndianHost()) throw new Error('safetensors: big-endian hosts are not supported');
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.byteLength < 8) throw new Error('safetensors: file too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.byteLength - 8)) throw new Error('safetensors: header length exceeds file');
  const n = Number(headerLength);
  const headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  const header: unknown = JSON.parse(headerText);
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new Error('safetensors: header is not a JSON object');
  }
  const dataStart = 8 + n;
  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, SafeTensor>();
  const metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null) throw new Error('safetensors: bad __metadata__');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new Error(`safetensors: metadata ${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (typeof entry !== 'object' || entry === null) throw new Error(`safetensors: bad entry ${name}`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (!isDtype(dtype)) throw new Error(`safetensors: unsupported dtype ${String(dtype)} for ${name}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`safetensors: bad shape for ${name}`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isInteger(o) && o >= 0)
    ) {
      throw new Error(`safetensors: bad data_offsets for ${name}`);
    }
    const [begin, end] = offsets as [number, number];
    const dims = shape as number[];
    if (end < begin || end > dataLength)
      throw new Error(`safetensors: data_offsets out of range for ${name}`);
    if (end - begin !== numel(dims) * BYTES_PER_ELEMENT[dtype]) {
      throw new Error(`safetensors: byte length of ${name} does not match its shape and dtype`);
    }
    const data = viewAs(dtype, bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { dtype, shape: [...dims], data });
  }
  return { tensors, metadata };
}

/** Serialises tensors (in the order given) into a safetensors file. */
export function writeSafetensors(
  tensors: Record<string, SafeTensor> | Map<string, SafeTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  if (!isLittleEndianHost()) throw new Error('safetensors: big-endian hosts are not supported');
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new Error('safetensors: tensor name __metadata__ is reserved');
    if (!isDtype(t.dtype)) throw new Error(`safetensors: unsupported dtype ${String(t.dtype)}`);
    if (!expectedDtypeOf(t.data).includes(t.dtype)) {
      throw new Error(`safetensors: ${name}: data array does not match dtype ${t.dtype}`);
    }
    if (t.data.length !== numel(t.shape)) {
      throw new Error(`safetensors: ${name}: ${t.data.length} elements but shape ${JSON.stringify(t.shape)}`);
    }
    const size = t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces so the data section starts 8-byte aligned (as the Python library does).
  const padded = Math.ceil(headerBytes.byteLength / 8) * 8;
  if (padded !== headerBytes.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(headerBytes);
    headerBytes = p;
  }
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.byteLength;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/** Converts one IEEE 754 half-precision bit pattern to a number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Converts a number to the nearest IEEE 754 half-precision bit pattern (round half to even). */
export function numberToHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) {
    half++;
    if (half === 0x400) {
      half = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | half;
}

/** Converts one bfloat16 bit pattern to a number (the top half of a float32). */
export function bfloat16ToNumber(h: number): number {
  const bits = new Uint32Array([h << 16]);
  return new Float32Array(bits.buffer)[0];
}

/** Returns the tensor's values as float32 (F16 and BF16 are decoded; integer types are converted). */
export function toFloat32(t: SafeTensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  const out = new Float32Array(t.data.length);
  if (t.data instanceof Uint16Array && t.dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < out.length; i++) bits[i] = t.data[i] << 16;
  } else if (t.data instanceof Uint16Array) {
    for (let i = 0; i < out.length; i++) out[i] = halfToNumber(t.data[i]);
  } else if (t.data instanceof BigInt64Array) {
    for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  } else {
    out.set(t.data);
  }
  return out;
}

/** Looks up a tensor and throws a clear error if it is missing. */
export function getTensor(file: SafetensorsFile, name: string): SafeTensor {
  const t = file.tensors.get(name);
  if (!t)
    throw new Error(`safetensors: no tensor named ${name} (have ${[...file.tensors.keys()].join(', ')})`);
  return t;
}

/** The `__metadata__` of a safetensors file, read from its header alone; null when the header is unreadable. */
export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> | null {
  if (bytes.byteLength < 8) return null;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (length > BigInt(bytes.byteLength - 8)) return null;
  try {
    const header: unknown = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + Number(length))),
    );
    if (typeof header !== 'object' || header === null) return null;
    const metadata = (header as Record<string, unknown>).__metadata__;
    if (typeof metadata !== 'object' || metadata === null) return {};
    return Object.fromEntries(
      Object.entries(metadata as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  } catch {
    return null;
  }
}
