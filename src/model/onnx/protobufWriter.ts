/**
 * A minimal protobuf encoder: enough to write small ONNX messages (and, for graph augmentation,
 * the extra `graph.output` entries appended to an unchanged model file).
 *
 * Bytes are kept as a list of chunks, so that large payloads (ONNX weights) are copied once
 * into the final buffer instead of being pushed byte by byte.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const TWO_POW_64 = 1n << 64n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  /** Small writes (keys, varints) collect here until a large payload or `finish()` flushes them. */
  private pending: number[] = [];
  private length = 0;

  private push(byte: number): void {
    this.pending.push(byte);
    this.length += 1;
  }

  private flushPending(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(Uint8Array.from(this.pending));
    this.pending = [];
  }

  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
    let v = value;
    while (v >= 0x80) {
      this.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.push(v);
  }

  /** A varint of an unsigned 64-bit value given as a bigint in [0, 2^64). */
  private varint64(value: bigint): void {
    let v = value;
    while (v >= 0x80n) {
      this.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.push(Number(v));
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** A non-negative integer field (uint32/uint64/int32/int64 with a value >= 0). */
  int(field: number, value: number): this {
    this.key(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /**
   * An `int64` field that may be negative. Protobuf writes a negative int64 as its 64-bit two's
   * complement (a ten-byte varint), not zigzag: zigzag is only for `sint64`. ONNX uses plain
   * int64 (for example `axis: -1`).
   */
  int64(field: number, value: number | bigint): this {
    const v = BigInt(value);
    if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`int64 out of range: ${value}`);
    this.key(field, WIRE_VARINT);
    this.varint64(v < 0n ? v + TWO_POW_64 : v);
    return this;
  }

  /** A `float` field (fixed 32-bit, little-endian). */
  float32(field: number, value: number): this {
    this.key(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    for (const b of bytes) this.push(b);
    return this;
  }

  bytesField(field: number, value: Uint8Array): this {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    if (value.length < 64) {
      for (const b of value) this.push(b);
    } else {
      this.flushPending();
      // Copy: the caller may reuse its buffer after this call returns.
      this.chunks.push(value.slice());
      this.length += value.length;
    }
    return this;
  }

  string(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value));
  }

  /**
   * A length-delimited message built by `build`. Its chunks are taken over, not copied: a graph
   * holding hundreds of megabytes of weights is copied once, by `finish()`.
   */
  message(field: number, build: (w: ProtobufWriter) => void): this {
    const inner = new ProtobufWriter();
    build(inner);
    inner.flushPending();
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.varint(inner.length);
    this.flushPending();
    for (const chunk of inner.chunks) this.chunks.push(chunk);
    this.length += inner.length;
    return this;
  }

  /**
   * Bytes that are already encoded fields (copied as stored from another message), appended as
   * they are. The view is kept until `finish()`: the caller must not change those bytes meanwhile.
   */
  encoded(bytes: Uint8Array): this {
    this.flushPending();
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }

  finish(): Uint8Array {
    this.flushPending();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
