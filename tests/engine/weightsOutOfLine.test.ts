/**
 * The page hands onnxruntime-web each model as a small graph plus its own bytes as external data
 * (src/model/onnx/weightsOutOfLine.ts), to keep the model's parsed copy out of the WebAssembly
 * heap. These tests run every committed model both ways on onnxruntime-web's WebAssembly backend
 * in Node and require every output to be the same, bit for bit; and they read the rewritten graph
 * back to check that each moved weight points at exactly its own bytes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { liesOutsideFolder } from '../../src/model/augmentingRuntime';
import { DATA_LOCATION, GRAPH, MODEL, STRING_STRING_ENTRY, TENSOR } from '../../src/model/onnx/fields';
import { protoFields, protoString } from '../../src/model/onnx/protobufReader';
import { readOnnxGraph } from '../../src/model/onnx/reader';
import {
  moveWeightsOutOfLine,
  OUT_OF_LINE_MIN_BYTES,
  withWeightsOutOfLine,
} from '../../src/model/onnx/weightsOutOfLine';
import { appendToGraph } from '../../src/model/onnx/writer';
import { PUBLIC_MODELS } from '../support/models';

const same = (a: Uint8Array, b: Uint8Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

function modelFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modelFiles(path);
    return entry.name.endsWith('.onnx') ? [path] : [];
  });
}

const FILES = modelFiles(PUBLIC_MODELS)
  .map((path) => path.slice(PUBLIC_MODELS.length + 1))
  .sort();

interface StoredInitializer {
  name: string;
  raw: Uint8Array | null;
  external: Map<string, string>;
  location: number | null;
  /** The message's fields other than raw_data / external_data / data_location, as stored. */
  rest: Uint8Array[];
}

/** Every initializer of the main graph(s), read field by field (independently of the code under test). */
function initializers(bytes: Uint8Array): StoredInitializer[] {
  const found: StoredInitializer[] = [];
  for (const m of protoFields(bytes)) {
    if (m.field !== MODEL.graph) continue;
    for (const g of protoFields(bytes, m.start, m.end)) {
      if (g.field !== GRAPH.initializer) continue;
      const init: StoredInitializer = { name: '', raw: null, external: new Map(), location: null, rest: [] };
      let at = g.start;
      for (const t of protoFields(bytes, g.start, g.end)) {
        const whole = bytes.subarray(at, t.end);
        at = t.end;
        if (t.field === TENSOR.name) init.name = protoString(bytes, t);
        if (t.field === TENSOR.rawData) init.raw = bytes.subarray(t.start, t.end);
        else if (t.field === TENSOR.dataLocation) init.location = t.value;
        else if (t.field === TENSOR.externalData) {
          let key = '';
          let value = '';
          for (const e of protoFields(bytes, t.start, t.end)) {
            if (e.field === STRING_STRING_ENTRY.key) key = protoString(bytes, e);
            else if (e.field === STRING_STRING_ENTRY.value) value = protoString(bytes, e);
          }
          init.external.set(key, value);
        } else init.rest.push(whole);
      }
      found.push(init);
    }
  }
  return found;
}

/** A run's feeds for any of the committed models, from the session's own input declarations. */
function feedsFor(session: ort.InferenceSession, T: number): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) throw new Error(`input ${meta.name} is not a tensor`);
    const { name, type } = meta;
    if (name === 'input_ids')
      feeds[name] = new ort.Tensor(
        'int64',
        BigInt64Array.from({ length: T }, (_, i) => BigInt((i * 7 + 3) % 50)),
        [1, T],
      );
    else if (name === 'attention_mask')
      feeds[name] = new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]);
    else if (name === 'position_ids')
      feeds[name] = new ort.Tensor(
        'int64',
        BigInt64Array.from({ length: T }, (_, i) => BigInt(i)),
        [1, T],
      );
    else if (type === 'bool') feeds[name] = new ort.Tensor('bool', new Uint8Array(1), [1]);
    else {
      // An empty cache: batch 1, no past positions.
      const dims = meta.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : 0));
      const size = dims.reduce((a, b) => a * b, 1);
      if (type === 'float32') feeds[name] = new ort.Tensor('float32', new Float32Array(size), dims);
      else if (type === 'float16') feeds[name] = new ort.Tensor('float16', new Uint16Array(size), dims);
      else throw new Error(`no feed for input ${name} of type ${type}`);
    }
  }
  return feeds;
}

async function runAll(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions) {
  const session = await ort.InferenceSession.create(bytes, options);
  try {
    const out = await session.run(feedsFor(session, 9));
    return Object.fromEntries(
      Object.entries(out).map(([name, tensor]) => [
        name,
        { dims: tensor.dims, bytes: new Uint8Array((tensor.data as Float32Array).buffer.slice(0)) },
      ]),
    );
  } finally {
    await session.release();
  }
}

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

describe('moveWeightsOutOfLine()', () => {
  it.each(FILES)('%s: each large weight refers to its own bytes; the rest is copied as stored', (file) => {
    const bytes = new Uint8Array(readFileSync(join(PUBLIC_MODELS, file)));
    const split = moveWeightsOutOfLine(bytes, 'weights');
    const before = initializers(bytes);
    const large = before.filter((i) => i.raw && i.raw.length >= OUT_OF_LINE_MIN_BYTES);
    if (large.length === 0) {
      expect(split).toBeNull();
      return;
    }
    if (!split) throw new Error('expected weights to move');
    expect(split.moved).toBe(large.length);
    expect(split.movedBytes).toBe(large.reduce((sum, i) => sum + (i.raw?.length ?? 0), 0));
    expect(split.graph.length).toBeLessThan(bytes.length - split.movedBytes + 200 * split.moved);
    const after = initializers(split.graph);
    expect(after.map((i) => i.name)).toEqual(before.map((i) => i.name));
    for (const [k, init] of after.entries()) {
      const original = before[k];
      expect(init.rest.length).toBe(original.rest.length);
      for (const [j, field] of init.rest.entries()) expect(same(field, original.rest[j])).toBe(true);
      if (!original.raw || original.raw.length < OUT_OF_LINE_MIN_BYTES) {
        expect(init.raw === null ? null : same(init.raw, original.raw ?? new Uint8Array())).toBe(
          original.raw === null ? null : true,
        );
        expect(init.external.size).toBe(original.external.size);
        continue;
      }
      expect(init.raw).toBeNull();
      expect(init.location).toBe(DATA_LOCATION.external);
      expect(init.external.get('location')).toBe('weights');
      const offset = Number(init.external.get('offset'));
      const length = Number(init.external.get('length'));
      expect(same(bytes.subarray(offset, offset + length), original.raw)).toBe(true);
    }
    const graphBefore = readOnnxGraph(bytes);
    const graphAfter = readOnnxGraph(split.graph);
    expect(graphAfter.nodes).toEqual(graphBefore.nodes);
    expect(graphAfter.outputs).toEqual(graphBefore.outputs);
    expect(graphAfter.inputs).toEqual(graphBefore.inputs);
  });

  it('measures offsets from the start of the view handed over, wherever it lies in its buffer', () => {
    const file = join(PUBLIC_MODELS, 'fixtures/tiny-random-gpt2/onnx/model.onnx');
    const stored = readFileSync(file);
    const padded = new Uint8Array(stored.length + 4096);
    padded.set(stored, 1000);
    const view = padded.subarray(1000, 1000 + stored.length);
    const split = moveWeightsOutOfLine(view, 'w');
    const plain = moveWeightsOutOfLine(new Uint8Array(stored), 'w');
    if (!split || !plain) throw new Error('expected weights to move');
    expect(same(split.graph, plain.graph)).toBe(true);
  });

  it('leaves weights that are already external, and small ones, where they are', () => {
    const bytes = new Uint8Array(
      readFileSync(join(PUBLIC_MODELS, 'fixtures/tiny-random-gpt2/onnx/model.onnx')),
    );
    const once = moveWeightsOutOfLine(bytes, 'first');
    if (!once) throw new Error('expected weights to move');
    expect(moveWeightsOutOfLine(once.graph, 'second')).toBeNull();
    expect(moveWeightsOutOfLine(bytes, 'all', Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('keeps graph parts appended after the weights (an augmented model)', () => {
    const bytes = new Uint8Array(
      readFileSync(join(PUBLIC_MODELS, 'fixtures/tiny-random-gpt2/onnx/model.onnx')),
    );
    const graph = readOnnxGraph(bytes);
    const hidden = graph.nodes[3].outputs[0];
    const augmented = appendToGraph(bytes, { nodes: [], outputs: [{ name: hidden }] });
    const split = moveWeightsOutOfLine(augmented, 'w');
    if (!split) throw new Error('expected weights to move');
    expect(readOnnxGraph(split.graph).outputs).toEqual([...graph.outputs, hidden]);
  });
});

describe('withWeightsOutOfLine(): onnxruntime-web computes the same', () => {
  it.each(FILES)('%s: every output is bit for bit the same as from the whole model', async (file) => {
    const bytes = new Uint8Array(readFileSync(join(PUBLIC_MODELS, file)));
    // A model with external data files of its own brings them (and its inline weights, if any, join them).
    const brought = [...readOnnxGraph(bytes).externalDataFiles].map((path) => ({
      path,
      data: new Uint8Array(readFileSync(join(PUBLIC_MODELS, dirname(file), path))),
    }));
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: ['wasm'],
      externalData: brought,
    };
    const [graph, splitOptions] = withWeightsOutOfLine(bytes, options);
    const moved = moveWeightsOutOfLine(bytes, 'w');
    expect(splitOptions?.externalData).toHaveLength(brought.length + (moved ? 1 : 0));
    expect(moved !== null || brought.length > 0).toBe(true);
    const whole = await runAll(bytes, options);
    const outOfLine = await runAll(graph, splitOptions ?? {});
    expect(Object.keys(outOfLine).sort()).toEqual(Object.keys(whole).sort());
    for (const [name, output] of Object.entries(whole)) {
      expect(outOfLine[name].dims, name).toEqual(output.dims);
      expect(same(outOfLine[name].bytes, output.bytes), name).toBe(true);
    }
  });

  it('names its external data apart from the files a model already brings', () => {
    const bytes = new Uint8Array(
      readFileSync(join(PUBLIC_MODELS, 'fixtures/tiny-random-gpt2/onnx/model.onnx')),
    );
    const brought = new Uint8Array(4);
    const [, options] = withWeightsOutOfLine(bytes, {
      externalData: [
        { path: 'linscope-model-weights', data: brought },
        { path: 'linscope-model-weights-2', data: brought },
      ],
    });
    const paths = (options?.externalData ?? []).map((file) => (typeof file === 'string' ? file : file.path));
    expect(paths).toEqual(['linscope-model-weights', 'linscope-model-weights-2', 'linscope-model-weights-3']);
  });

  it('hands over a graph without large weights as it is', () => {
    const bytes = new Uint8Array(
      readFileSync(join(PUBLIC_MODELS, 'fixtures/tiny-random-gpt2/onnx/model.onnx')),
    );
    const once = moveWeightsOutOfLine(bytes, 'elsewhere');
    if (!once) throw new Error('expected weights to move');
    const options = { executionProviders: ['wasm'] };
    const [graph, same] = withWeightsOutOfLine(once.graph, options);
    expect(graph).toBe(once.graph);
    expect(same).toBe(options);
  });
});

describe('liesOutsideFolder()', () => {
  it.each([
    ['model.onnx_data', false],
    ['weights/part-1.bin', false],
    ['a..b.bin', false],
    ['../model.onnx_data', true],
    ['weights/../../x', true],
    ['..\\x', true],
    ['/etc/passwd', true],
    ['\\\\server\\share', true],
    ['C:\\weights.bin', true],
  ])('%s: %s', (location, outside) => {
    expect(liesOutsideFolder(location)).toBe(outside);
  });
});
