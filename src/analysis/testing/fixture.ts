// Test-only helpers: read the fixtures written by tools/analysis_reference.py (no Python needed).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type HiddenStates, hiddenStates } from '../hiddenStates';

const DIR = fileURLToPath(new URL('../../../tests/fixtures/analysis/', import.meta.url));

interface ArrayEntry {
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
}

export interface Fixture {
  readonly doc: { arrays: Record<string, ArrayEntry>; metrics: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  float32(name: string): Float32Array;
  int32(name: string): Int32Array;
  shape(name: string): number[];
  states(name?: string): HiddenStates;
}

export function loadFixture(name: 'small' | 'short' | 'degenerate'): Fixture {
  const doc = JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as Fixture['doc'];
  const bin = readFileSync(`${DIR}${name}.bin`);
  // Copy into an aligned buffer (a Node Buffer may sit at any offset of its pool).
  const bytes = new Uint8Array(bin.byteLength);
  bytes.set(bin);
  const entry = (key: string): ArrayEntry => {
    const e = doc.arrays[key];
    if (!e) throw new Error(`fixture ${name}: no array ${key}`);
    return e;
  };
  const count = (e: ArrayEntry) => e.shape.reduce((a, b) => a * b, 1);
  const float32 = (key: string) => {
    const e = entry(key);
    if (e.dtype !== 'float32') throw new Error(`fixture ${name}: ${key} is ${e.dtype}`);
    return new Float32Array(bytes.buffer, e.offset, count(e));
  };
  const int32 = (key: string) => {
    const e = entry(key);
    if (e.dtype !== 'int32') throw new Error(`fixture ${name}: ${key} is ${e.dtype}`);
    return new Int32Array(bytes.buffer, e.offset, count(e));
  };
  return {
    doc,
    float32,
    int32,
    shape: (key) => entry(key).shape,
    states: (key = 'hidden_states') => {
      const [s, t, d] = entry(key).shape;
      return hiddenStates(float32(key), s, t, d);
    },
  };
}
