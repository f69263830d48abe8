/**
 * A minimal, zero-copy protobuf decoder. It walks the fields of a message inside a byte range and
 * hands back offsets, so a 500 MB model's weights are skipped, never copied or decoded.
 */

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

export interface ProtoField {
  field: number;
  wireType: number;
  /** Varint value (exact up to 2^53), for wire type 0. */
  value: number;
  /** Payload range [start, end) for length-delimited fields. */
  start: number;
  end: number;
}

export class ProtobufError extends Error {
  override name = 'ProtobufError';
}

function readVarint(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  let pos = offset;
  for (let i = 0; i < 10; i++) {
    if (pos >= bytes.length) throw new ProtobufError(`truncated varint at byte ${offset}`);
    const b = bytes[pos++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return { value, next: pos };
    scale *= 0x80;
  }
  throw new ProtobufError(`varint longer than 10 bytes at byte ${offset}`);
}

/** Iterate over the fields of the message stored in `bytes[start, end)`. */
export function* protoFields(bytes: Uint8Array, start = 0, end = bytes.length): Generator<ProtoField> {
  let pos = start;
  while (pos < end) {
    const key = readVarint(bytes, pos);
    pos = key.next;
    const field = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (field === 0) throw new ProtobufError(`field number 0 at byte ${pos}`);
    switch (wireType) {
      case WireType.varint: {
        const v = readVarint(bytes, pos);
        yield { field, wireType, value: v.value, start: pos, end: v.next };
        pos = v.next;
        break;
      }
      case WireType.fixed64:
        yield { field, wireType, value: 0, start: pos, end: pos + 8 };
        pos += 8;
        break;
      case WireType.fixed32:
        yield { field, wireType, value: 0, start: pos, end: pos + 4 };
        pos += 4;
        break;
      case WireType.lengthDelimited: {
        const len = readVarint(bytes, pos);
        const payloadEnd = len.next + len.value;
        if (payloadEnd > end) {
          throw new ProtobufError(
            `field ${field} claims ${len.value} bytes at byte ${len.next}, past the message end ${end}`,
          );
        }
        yield { field, wireType, value: len.value, start: len.next, end: payloadEnd };
        pos = payloadEnd;
        break;
      }
      default:
        throw new ProtobufError(`unsupported wire type ${wireType} at byte ${pos}`);
    }
  }
  if (pos !== end) throw new ProtobufError(`message overruns its end (${pos} > ${end})`);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function protoString(bytes: Uint8Array, f: ProtoField): string {
  return utf8.decode(bytes.subarray(f.start, f.end));
}

const TWO_POW_64 = 1n << 64n;
const INT64_SIGN = 1n << 63n;

/**
 * A varint read as a signed `int64`: exact, and negative for the ten-byte two's complement form
 * protobuf writes for negative int64 values (`value` is only exact up to 2^53).
 */
export function protoInt64(bytes: Uint8Array, f: ProtoField): bigint {
  let value = 0n;
  let shift = 0n;
  for (let pos = f.start; pos < f.end; pos++, shift += 7n) value |= BigInt(bytes[pos] & 0x7f) << shift;
  value &= TWO_POW_64 - 1n;
  return value >= INT64_SIGN ? value - TWO_POW_64 : value;
}

/** The values of a repeated `int64` field occurrence: one varint, or a packed run of them. */
export function protoInt64s(bytes: Uint8Array, f: ProtoField): bigint[] {
  if (f.wireType === WireType.varint) return [protoInt64(bytes, f)];
  const values: bigint[] = [];
  let pos = f.start;
  while (pos < f.end) {
    const next = readVarint(bytes, pos).next;
    values.push(protoInt64(bytes, { ...f, start: pos, end: next }));
    pos = next;
  }
  return values;
}

/** The values of a (repeated) `float` field occurrence: one fixed32, or a packed run of them. */
export function protoFloat32s(bytes: Uint8Array, f: ProtoField): number[] {
  if ((f.end - f.start) % 4 !== 0)
    throw new ProtobufError(`field ${f.field}: float payload of ${f.end - f.start} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + f.start, f.end - f.start);
  return Array.from({ length: view.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}
