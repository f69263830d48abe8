import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE, ATTRIBUTE_TYPE, ELEMENT_TYPE } from './fields';
import { ProtobufWriter } from './protobufWriter';
import { decodeAttribute, readInitializer, readOnnxGraph, readValueInfos } from './reader';
import type { OnnxInitializer, OnnxModel, OnnxNodeSpec } from './types';
import { appendToGraph, encodeOnnxModel } from './writer';

// x [batch, 3] through nodes that between them carry every attribute kind the writer has, over
// initializers of all four tensor types. Float attribute values are exact in float32.
const X = [1, 2, 3, -1, 0.5, 2];
const W = [0.5, -1, 1, 0, 2, 0.25]; // [3, 2]
const BIAS = [0.1, -0.2];
const ALPHA = 2;
const SLOPE = 0.125;
const SIGNS = [1, -1];
const SCALE = 0.5;

const initializers: OnnxInitializer[] = [
  { name: 'W', type: 'float32', dims: [3, 2], data: Float32Array.from(W) },
  { name: 'bias', type: 'float32', dims: [2], data: Float32Array.from(BIAS) },
  { name: 'row', type: 'int32', dims: [1], data: Int32Array.from([2]) },
  { name: 'scale', type: 'float64', dims: [], data: Float64Array.from([SCALE]) },
];

const nodes: OnnxNodeSpec[] = [
  {
    name: 'gemm',
    opType: 'Gemm',
    inputs: ['x', 'W', 'bias'],
    outputs: ['g'],
    attributes: [
      { name: 'alpha', kind: 'float', value: ALPHA },
      { name: 'transB', kind: 'int', value: 0 },
    ],
  },
  {
    name: 'einsum',
    opType: 'Einsum',
    inputs: ['x', 'W'],
    outputs: ['e'],
    attributes: [{ name: 'equation', kind: 'string', value: 'bi,ij->bj' }],
  },
  {
    name: 'signs',
    opType: 'Constant',
    inputs: [],
    outputs: ['signs'],
    attributes: [{ name: 'value_floats', kind: 'floats', value: SIGNS }],
  },
  { name: 'mul', opType: 'Mul', inputs: ['e', 'signs'], outputs: ['m'] },
  { name: 'add', opType: 'Add', inputs: ['g', 'm'], outputs: ['s'] },
  {
    name: 'leaky',
    opType: 'LeakyRelu',
    inputs: ['s'],
    outputs: ['l'],
    attributes: [{ name: 'alpha', kind: 'float', value: SLOPE }],
  },
  {
    name: 'transpose',
    opType: 'Transpose',
    inputs: ['l'],
    outputs: ['t'],
    attributes: [{ name: 'perm', kind: 'ints', value: [1, 0] }],
  },
  {
    name: 'flat_shape',
    opType: 'Constant',
    inputs: [],
    outputs: ['flat_shape'],
    attributes: [
      { name: 'value', kind: 'tensor', value: { type: 'int64', dims: [1], data: BigInt64Array.from([-1n]) } },
    ],
  },
  { name: 'flatten', opType: 'Reshape', inputs: ['t', 'flat_shape'], outputs: ['flat'] },
  {
    name: 'softmax',
    opType: 'Softmax',
    inputs: ['l'],
    outputs: ['probs'],
    attributes: [{ name: 'axis', kind: 'int', value: -1 }],
  },
  { name: 'gather', opType: 'Gather', inputs: ['W', 'row'], outputs: ['picked'] },
  {
    name: 'cast',
    opType: 'Cast',
    inputs: ['g'],
    outputs: ['g64'],
    attributes: [{ name: 'to', kind: 'int', value: ELEMENT_TYPE.float64 }],
  },
  { name: 'scaled', opType: 'Mul', inputs: ['g64', 'scale'], outputs: ['scaled'] },
];

const model: OnnxModel = {
  irVersion: 8,
  producerName: 'linscope-test',
  opsetImports: [{ version: 17 }],
  graph: {
    name: 'round-trip',
    nodes,
    initializers,
    inputs: [{ name: 'x', type: 'float32', shape: ['batch', 3] }],
    outputs: [
      { name: 'flat', type: 'float32', shape: ['flat_length'] },
      { name: 'probs', type: 'float32', shape: ['batch', 2] },
      { name: 'picked', type: 'float32', shape: [1, 2] },
      { name: 'scaled', type: 'float64', shape: ['batch', 2] },
    ],
    valueInfo: [{ name: 'l', type: 'float32', shape: ['batch', ''] }, { name: 's' }],
  },
};

/** Each of `got` within float32 rounding (relative 1e-6) of `want`. */
function expectClose(got: ArrayLike<number>, want: readonly number[], label: string): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tolerance = 1e-6 * Math.max(1, Math.abs(want[i]));
    expect(Math.abs(got[i] - want[i]), `${label}[${i}]`).toBeLessThanOrEqual(tolerance);
  }
}

/** The graph's numbers, worked out here in float64 from the same constants. */
function expected() {
  const xw = (r: number, c: number) => X[r * 3] * W[c] + X[r * 3 + 1] * W[2 + c] + X[r * 3 + 2] * W[4 + c];
  const g = [0, 1].flatMap((r) => [0, 1].map((c) => ALPHA * xw(r, c) + BIAS[c]));
  const l = [0, 1].flatMap((r) =>
    [0, 1].map((c) => {
      const s = g[r * 2 + c] + xw(r, c) * SIGNS[c];
      return s >= 0 ? s : SLOPE * s;
    }),
  );
  const probs = [0, 1].flatMap((r) => {
    const z = Math.exp(l[r * 2]) + Math.exp(l[r * 2 + 1]);
    return [Math.exp(l[r * 2]) / z, Math.exp(l[r * 2 + 1]) / z];
  });
  return { l, flat: [l[0], l[2], l[1], l[3]], probs, picked: [W[4], W[5]], scaled: g.map((v) => v * SCALE) };
}

describe('encodeOnnxModel(), read back by the reader', () => {
  const bytes = encodeOnnxModel(model);

  it('gives back the nodes, with every attribute as written', () => {
    const graph = readOnnxGraph(bytes);
    expect(graph.nodes.map((n) => [n.name, n.opType, n.domain, n.inputs, n.outputs])).toEqual(
      nodes.map((n) => [n.name, n.opType, '', n.inputs, n.outputs]),
    );
    graph.nodes.forEach((n, i) => {
      expect(n.attributes.map(decodeAttribute)).toEqual(nodes[i].attributes ?? []);
    });
    expect(graph.inputs).toEqual(['x']);
    expect(graph.outputs).toEqual(['flat', 'probs', 'picked', 'scaled']);
    expect([...graph.initializers]).toEqual(['W', 'bias', 'row', 'scale']);
    expect(graph.usesExternalData).toBe(false);
  });

  it('gives back initializers of each type, and value infos with fixed, symbolic and unknown dims', () => {
    for (const t of initializers) expect(readInitializer(bytes, t.name)).toEqual(t);
    expect(readInitializer(bytes, 'nope')).toBeNull();
    const infos = readValueInfos(bytes);
    expect(infos.inputs).toEqual(model.graph.inputs);
    expect(infos.outputs).toEqual(model.graph.outputs);
    expect(infos.valueInfo).toEqual(model.graph.valueInfo);
  });

  it('keeps int64 attributes exact beyond 2^53 and negative, and copies encoded attributes as stored', () => {
    const big: OnnxNodeSpec = {
      name: 'big',
      opType: 'Custom',
      domain: 'test.domain',
      inputs: ['', 'a'],
      outputs: ['b'],
      attributes: [
        { name: 'max', kind: 'int', value: 0x7fffffffffffffffn },
        { name: 'mixed', kind: 'ints', value: [-1, 2n ** 53n + 2n, -(2n ** 63n)] },
      ],
    };
    const first = readOnnxGraph(
      encodeOnnxModel({ irVersion: 8, opsetImports: [{ version: 1 }], graph: { nodes: [big] } }),
    ).nodes[0];
    expect(first.domain).toBe('test.domain');
    expect(first.inputs).toEqual(['', 'a']);
    expect(first.attributes.map(decodeAttribute)).toEqual([
      { name: 'max', kind: 'int', value: 0x7fffffffffffffffn },
      { name: 'mixed', kind: 'ints', value: [-1, 2n ** 53n + 2n, -(2n ** 63n)] },
    ]);
    const copy = encodeOnnxModel({
      irVersion: 8,
      opsetImports: [{ version: 1 }],
      graph: {
        nodes: [{ ...big, attributes: first.attributes.map((b) => ({ kind: 'encoded', bytes: b })) }],
      },
    });
    expect(readOnnxGraph(copy).nodes[0].attributes).toEqual(first.attributes);
  });

  it('reads an attribute whose value was left out (proto3 writers drop zeros) as that zero', () => {
    const bytes = new ProtobufWriter()
      .string(ATTRIBUTE.name, 'transB')
      .int(ATTRIBUTE.type, ATTRIBUTE_TYPE.int)
      .finish();
    expect(decodeAttribute(bytes)).toEqual({ name: 'transB', kind: 'int', value: 0 });
  });

  it('runs in onnxruntime with the numbers worked out by hand', async () => {
    const session = await ort.InferenceSession.create(bytes);
    const x = new ort.Tensor('float32', Float32Array.from(X), [2, 3]);
    const out = await session.run({ x });
    const { flat, probs, picked, scaled } = expected();
    for (const [name, want] of Object.entries({ flat, probs, picked, scaled })) {
      expectClose(out[name].data as Float32Array | Float64Array, want, name);
    }
    expect(out.scaled.type).toBe('float64');
    expect(out.probs.dims).toEqual([2, 2]);
    await session.release();
  });
});

describe('appendToGraph()', () => {
  it('adds nodes and outputs after the model bytes, which stay as they were', async () => {
    const base = encodeOnnxModel(model);
    const bytes = appendToGraph(base, {
      nodes: [{ name: 'double', opType: 'Add', inputs: ['l', 'l'], outputs: ['doubled'] }],
      outputs: [{ name: 'doubled' }, { name: 'g' }],
    });
    expect(bytes.subarray(0, base.length)).toEqual(base);
    const graph = readOnnxGraph(bytes);
    expect(graph.nodes.at(-1)?.name).toBe('double');
    expect(graph.outputs).toEqual(['flat', 'probs', 'picked', 'scaled', 'doubled', 'g']);
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(X), [2, 3]) });
    expectClose(
      out.doubled.data as Float32Array,
      expected().l.map((v) => 2 * v),
      'doubled',
    );
    await session.release();
  });
});
