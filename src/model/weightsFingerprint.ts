/**
 * A fingerprint of a model's weights: which weights a reference fit was made with, so that a fit is
 * never used for other weights under the same name (a fine-tune in a folder of the same name, a Hub
 * repository updated in place, a fit file from another model). The same files give the same
 * fingerprint in the page and on the command line.
 *
 * Reading every byte of a large model to hash it would cost what loading it costs, so the
 * fingerprint samples: each file's size, and `SAMPLES` slices of `SLICE` bytes spread evenly over
 * it, first and last byte included. Training or fine-tuning changes every weight tensor, and a
 * slice falls every 1/256 of the file (2 MB in a 500 MB model), so two different checkpoints differ
 * in it; it is a guard against mix-ups, not against someone forging a file.
 */

/** Slices sampled per file, and bytes per slice. */
export const SAMPLES = 256;
export const SLICE = 1024;

/** One file of the model: its name (as the graph refers to it), size, and a reader of byte ranges. */
export interface FingerprintFile {
  readonly name: string;
  readonly size: number;
  /** Bytes [start, end) of the file; null where they cannot be read (the file then counts by size). */
  read(start: number, end: number): Uint8Array | null;
}

/** The byte ranges sampled from a file of `size` bytes: whole where it is small. */
export function sampleRanges(size: number): [number, number][] {
  if (size <= SAMPLES * SLICE) return size > 0 ? [[0, size]] : [];
  const ranges: [number, number][] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const start = Math.round((k * (size - SLICE)) / (SAMPLES - 1));
    ranges.push([start, start + SLICE]);
  }
  return ranges;
}

/** Two 32-bit FNV-1a lanes with different offsets, as 16 hex digits. */
class Fnv64 {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x9e3779b9;

  bytes(data: Uint8Array): this {
    let { a, b } = this;
    for (let i = 0; i < data.length; i++) {
      a = Math.imul(a ^ data[i], 0x01000193);
      b = Math.imul(b ^ data[i], 0x01000193) ^ (b >>> 15);
    }
    this.a = a;
    this.b = b;
    return this;
  }

  text(s: string): this {
    return this.bytes(new TextEncoder().encode(s));
  }

  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}

/** The fingerprint of `files` (the model file first, then its external data files by name). */
export function weightsFingerprint(files: readonly FingerprintFile[]): string {
  const hash = new Fnv64();
  for (const file of files) {
    hash.text(`${file.name}:${file.size};`);
    for (const [start, end] of sampleRanges(file.size)) {
      const bytes = file.read(start, end);
      hash.text(bytes === null ? '?' : '|');
      if (bytes !== null) hash.bytes(bytes);
    }
  }
  return hash.hex();
}

/** A file held in memory, as `weightsFingerprint` reads it. */
export function bytesFile(name: string, bytes: Uint8Array): FingerprintFile {
  return { name, size: bytes.length, read: (start, end) => bytes.subarray(start, end) };
}
