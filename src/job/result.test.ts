import { describe, expect, it } from 'vitest';
import type { LayerPairRecord } from '../analysis';
import { fitReferenceMaps, perTokenNonlinearity } from '../analysis';
import { loadFixture } from '../analysis/testing/fixture';
import { assembleResult, partialResult, RESULT_SCHEMA, type ResultHead, type ResultTail } from './result';

const head = {
  schema: RESULT_SCHEMA,
  generator: { name: 'linscope', version: '0' },
  model: {
    id: 'm',
    revision: 'main',
    layers: 2,
    hidden: 4,
    dtype: 'fp32',
    vocab: 10,
    contextLength: null,
    graph: 'residual-add',
  },
  settings: { excludeBos: false, excludeMassive: false, heldOutFraction: 0.25, windowLength: 8 },
  tokens: [
    { id: 1, text: 'a', doc: 0 },
    { id: 2, text: 'b', doc: 0 },
    { id: 3, text: 'c', doc: 0 },
  ],
  windows: [{ doc: 0, start: 0, end: 3 }],
  logitLens: null,
} satisfies ResultHead;

const record = (l: number) => ({ pair: [l, l + 1] }) as unknown as LayerPairRecord;

describe('assembleResult(head, tail)', () => {
  it('turns per-token rows into JSON arrays, null for NaN and infinities, in the contract key order', () => {
    const tail: ResultTail = {
      excludedTokens: [0],
      layers: [record(0), record(1)],
      states: [],
      perToken: {
        nonlinearity: [
          Float64Array.of(0.5, Number.NaN, 2),
          Float64Array.of(Number.NaN, Number.NaN, Number.NaN),
        ],
        flash: [Uint8Array.of(0, 0, 1), Uint8Array.of(0, 0, 0)],
        flashThreshold: [1.5, null],
        unit: 'relative-to-reference-mean-error',
        reference: { source: 'bundled', name: 'r.txt', tokens: 100, quantile: 0.99 },
      },
    };
    const result = assembleResult(head, tail);
    expect(result.perToken?.nonlinearity).toEqual([
      [0.5, null, 2],
      [null, null, null],
    ]);
    expect(result.perToken?.flash).toEqual([
      [0, 0, 1],
      [0, 0, 0],
    ]);
    expect(Object.keys(result)).toEqual([
      'schema',
      'generator',
      'model',
      'settings',
      'tokens',
      'windows',
      'logitLens',
      'excludedTokens',
      'layers',
      'states',
      'perToken',
    ]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('gives null per-token values where the tail has none', () => {
    expect(
      assembleResult(head, { excludedTokens: [], layers: [], states: [], perToken: null }).perToken,
    ).toBeNull();
  });

  it('keeps the analysis values exactly: a pair without a map is a row of nulls', () => {
    const f = loadFixture('short');
    const p = perTokenNonlinearity(fitReferenceMaps(f.states()), f.states());
    const result = assembleResult(head, {
      excludedTokens: [],
      layers: [],
      states: [],
      perToken: {
        nonlinearity: p.relative,
        flash: p.flash,
        flashThreshold: [null, null],
        unit: 'relative-to-reference-mean-error',
        reference: { source: 'user', name: 'x', tokens: 20, quantile: 0.99 },
      },
    });
    // The short fixture has n <= d: no pair gets a map.
    expect(result.perToken?.nonlinearity).toHaveLength(2);
    expect(result.perToken?.nonlinearity[0]).toHaveLength(20);
    expect(result.perToken?.nonlinearity.flat().every((v) => v === null)).toBe(true);
  });
});

describe('partialResult(head, layers)', () => {
  it('orders the pairs scored so far and leaves the rest empty', () => {
    const partial = partialResult(head, [record(1), record(0)]);
    expect(partial.layers.map((r) => r.pair[0])).toEqual([0, 1]);
    expect(partial.states).toEqual([]);
    expect(partial.perToken).toBeUndefined();
  });
});
