/**
 * The byte level of a permalink: a growable writer and a bounds-checked reader (unsigned varints,
 * float32, UTF-8 strings), base64url, and a checksum. The reader throws `PermalinkFormatError`
 * on anything out of bounds, so a decoder can wrap a whole section in one try and drop it.
 */

/** Raised by the reader on malformed bytes; caught by the permalink decoder, never shown raw. */
export class PermalinkFormatError extends Error {
  override name = 'PermalinkFormatError';
}

/** Largest varint the reader accepts: counts and ids beyond 2^31 mean a tampered link. */
const MAX_VARINT = 2 ** 31 - 1;

export class ByteWriter {
  private bytes = new Uint8Array(256);
  private length = 0;
  private readonly scratch = new DataView(new ArrayBuffer(4));

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value & 0xff;
  }

  /** Unsigned LEB128. */
  varint(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > MAX_VARINT)
      throw new RangeError(`varint out of range: ${value}`);
    let v = value;
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }

  /** float32, little-endian; null is stored as NaN (scores are never NaN: the result JSON has null). */
  float32(value: number | null): void {
    this.scratch.setFloat32(0, value ?? Number.NaN, true);
    this.reserve(4);
    for (let i = 0; i < 4; i++) this.bytes[this.length++] = this.scratch.getUint8(i);
  }

  raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  string(value: string): void {
    const data = new TextEncoder().encode(value);
    this.varint(data.length);
    this.raw(data);
  }

  /** A string or null: length + 1, 0 for null. */
  nullableString(value: string | null): void {
    if (value === null) {
      this.varint(0);
      return;
    }
    const data = new TextEncoder().encode(value);
    this.varint(data.length + 1);
    this.raw(data);
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

export class ByteReader {
  private offset = 0;
  private readonly view: DataView;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  byte(): number {
    if (this.offset >= this.bytes.length) throw new PermalinkFormatError('ran past the end');
    return this.bytes[this.offset++];
  }

  varint(max = MAX_VARINT): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (value > max) throw new PermalinkFormatError(`number ${value} above its limit ${max}`);
        return value;
      }
      scale *= 128;
    }
    throw new PermalinkFormatError('number too long');
  }

  /** float32 as written by `ByteWriter.float32`: NaN comes back as null, infinities are refused. */
  float32(): number | null {
    if (this.offset + 4 > this.bytes.length) throw new PermalinkFormatError('ran past the end');
    const value = this.view.getFloat32(this.offset, true);
    this.offset += 4;
    if (Number.isNaN(value)) return null;
    if (!Number.isFinite(value)) throw new PermalinkFormatError('infinite number');
    return value;
  }

  raw(n: number): Uint8Array {
    if (n > this.remaining) throw new PermalinkFormatError('ran past the end');
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  string(maxBytes: number): string {
    const n = this.varint(maxBytes);
    return this.utf8(this.raw(n));
  }

  nullableString(maxBytes: number): string | null {
    const n = this.varint(maxBytes + 1);
    return n === 0 ? null : this.utf8(this.raw(n - 1));
  }

  private utf8(data: Uint8Array): string {
    try {
      return this.decoder.decode(data);
    } catch {
      throw new PermalinkFormatError('text that is not UTF-8');
    }
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

/** RFC 4648 §5 base64url without padding: safe in a URL fragment as it is. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/**
 * Inverse of `toBase64Url`; null when a character is outside the alphabet. A dangling last
 * character (a cut link) is dropped, so the cut shows up as missing data, not as a bad character.
 */
export function fromBase64Url(text: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (const c of text) {
    const v = INDEX.get(c);
    if (v === undefined) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}

/** FNV-1a, 32 bits: catches links damaged in transit (an edited link can recompute it; fields are checked anyway). */
export function checksum32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
