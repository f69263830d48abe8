import { describe, expect, it } from 'vitest';
import { ProtobufWriter } from './protobufWriter';

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

describe('ProtobufWriter', () => {
  // Expected bytes are the worked examples of the protobuf encoding guide.
  it('writes varint fields', () => {
    expect(hex(new ProtobufWriter().int(1, 150).finish())).toBe('08 96 01');
  });

  it('rejects negative values in int(), which has no two-complement path', () => {
    expect(() => new ProtobufWriter().int(1, -1)).toThrow(RangeError);
  });

  it('writes negative int64 as a ten-byte two-complement varint', () => {
    expect(hex(new ProtobufWriter().int64(3, -1).finish())).toBe('18 ff ff ff ff ff ff ff ff ff 01');
    expect(hex(new ProtobufWriter().int64(3, -2n).finish())).toBe('18 fe ff ff ff ff ff ff ff ff 01');
    expect(hex(new ProtobufWriter().int64(3, 150).finish())).toBe('18 96 01');
    expect(() => new ProtobufWriter().int64(3, 1n << 63n)).toThrow(RangeError);
  });

  it('writes float fields as fixed 32-bit little-endian', () => {
    expect(hex(new ProtobufWriter().float32(2, 1).finish())).toBe('15 00 00 80 3f');
    expect(hex(new ProtobufWriter().float32(2, -0.5).finish())).toBe('15 00 00 00 bf');
  });

  it('writes strings and nested messages length-delimited', () => {
    expect(hex(new ProtobufWriter().string(2, 'testing').finish())).toBe('12 07 74 65 73 74 69 6e 67');
    expect(hex(new ProtobufWriter().message(3, (w) => w.int(1, 150)).finish())).toBe('1a 03 08 96 01');
  });

  it('keeps field order across small writes and large payloads', () => {
    const payload = Uint8Array.from({ length: 200 }, (_, i) => i);
    const bytes = new ProtobufWriter().int(1, 1).bytesField(2, payload).int(3, 2).finish();
    expect(hex(bytes.subarray(0, 5))).toBe('08 01 12 c8 01');
    expect(Array.from(bytes.subarray(5, 205))).toEqual(Array.from(payload));
    expect(hex(bytes.subarray(205))).toBe('18 02');
  });

  it('copies payloads, so later changes to the caller buffer do not leak in', () => {
    const payload = new Uint8Array(100).fill(7);
    const writer = new ProtobufWriter().bytesField(1, payload);
    payload.fill(9);
    expect(writer.finish()[2]).toBe(7);
  });
});
