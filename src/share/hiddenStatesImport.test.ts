import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHiddenStatesImport } from './hiddenStatesImport';
import { writeNpy } from './npyFile';
import { numberToHalf, type SafeTensor, writeSafetensors } from './safetensors';

const IMPORTS = join(__dirname, '../../tests/fixtures/imports');
const fixture = (name: string) => ({ name, bytes: new Uint8Array(readFileSync(join(IMPORTS, name))) });
const expected = JSON.parse(readFileSync(join(IMPORTS, 'expected-states.json'), 'utf8')) as { ids: number[] };
const TOKEN_TEXTS = JSON.parse(readFileSync(join(IMPORTS, 'tokens.json'), 'utf8')) as string[];

/** [2, 3, 2] states 0..11 (exact in every float type). */
const VALUES = Array.from({ length: 12 }, (_, i) => i - 5);

function statesFile(tensors: Record<string, SafeTensor>, metadata?: Record<string, string>) {
  return { name: 'mine.safetensors', bytes: writeSafetensors(tensors, metadata) };
}

function refusal(files: Parameters<typeof readHiddenStatesImport>[0]): string {
  try {
    readHiddenStatesImport(files);
  } catch (error) {
    expect((error as { code?: string }).code).toBe('BAD_INPUT');
    return (error as Error).message;
  }
  throw new Error('not refused');
}

describe('hidden states from elsewhere', () => {
  it('reads a .npy with its tokens from a companion .json or .txt', () => {
    for (const list of ['tokens.json', 'tokens.txt']) {
      const imported = readHiddenStatesImport([fixture('states.npy'), fixture(list)]);
      expect(imported.states).toMatchObject({ states: 3, tokens: 200, hidden: 64 });
      expect(imported.dtype).toBe('F32');
      expect(imported.modelId).toBe('imported/states');
      expect(imported.tokens.map((t) => t.text)).toEqual(TOKEN_TEXTS);
      expect(imported.tokens.every((t) => t.id === 0 && t.doc === 0)).toBe(true);
    }
  });

  it('reads the safetensors convention: F64 hidden_states, input_ids, token strings in the metadata, the model named', () => {
    const imported = readHiddenStatesImport([fixture('states.safetensors')]);
    const npy = readHiddenStatesImport([fixture('states.npy')]);
    expect(imported.modelId).toBe('fixtures/tiny-random-gpt2');
    expect(imported.dtype).toBe('F64');
    expect(imported.tokens.map((t) => t.id)).toEqual(expected.ids);
    expect(imported.tokens.map((t) => t.text)).toEqual(TOKEN_TEXTS);
    // The float64 file holds the float32 values exactly.
    expect(imported.states.data).toEqual(npy.states.data);
    expect(npy.notes.join(' ')).toMatch(/shown by position/);
    expect(npy.tokens[5].text).toBe('‹5›');
  });

  it('decodes F16 and BF16, takes the only rank-3 tensor when none is called hidden_states, and shows ids without strings', () => {
    const f16 = Uint16Array.from(VALUES, numberToHalf);
    const bf16 = Uint16Array.from(VALUES, (v) => new Uint32Array(Float32Array.of(v).buffer)[0] >>> 16);
    for (const [dtype, data] of [
      ['F16', f16],
      ['BF16', bf16],
    ] as const) {
      const imported = readHiddenStatesImport([
        statesFile({
          layers: { dtype, shape: [2, 3, 2], data },
          input_ids: { dtype: 'I32', shape: [3], data: Int32Array.of(7, 8, 9) },
        }),
      ]);
      expect([...imported.states.data]).toEqual(VALUES);
      expect(imported.dtype).toBe(dtype);
      expect(imported.tokens.map((t) => [t.id, t.text])).toEqual([
        [7, '‹7›'],
        [8, '‹8›'],
        [9, '‹9›'],
      ]);
    }
  });

  it('refuses wrong shapes, empty sizes, non-finite values and token lists of the wrong length', () => {
    const f32 = (shape: number[], values: number[] = new Array(shape.reduce((a, b) => a * b, 1)).fill(1)) =>
      statesFile({ hidden_states: { dtype: 'F32', shape, data: Float32Array.from(values) } });
    expect(refusal([f32([3, 4])])).toMatch(
      /mine\.safetensors: the states have shape \[3, 4\] \(rank 2\); LinScope needs rank 3/,
    );
    expect(refusal([f32([3, 1, 4, 2])])).toMatch(/drop the batch dimension/);
    expect(refusal([f32([2, 0, 4])])).toMatch(/no tokens \(T = 0\)/);
    expect(refusal([f32([2, 3, 0])])).toMatch(/hidden size is 0/);
    expect(refusal([f32([1, 3, 2])])).toMatch(/at least 2/);
    const nan = VALUES.map((v, i) => (i === 9 ? Number.NaN : v));
    expect(refusal([f32([2, 3, 2], nan)])).toMatch(/state 1 of 2, token 1, feature 1 is NaN/);
    const inf = VALUES.map((v, i) => (i === 2 ? Number.POSITIVE_INFINITY : v));
    expect(refusal([f32([2, 3, 2], inf)])).toMatch(/state 0 of 2, token 1, feature 0 is Infinity/);
    const list = { name: 'tokens.txt', bytes: new TextEncoder().encode('a\nb\n') };
    expect(refusal([f32([2, 3, 2], VALUES), list])).toMatch(
      /tokens\.txt: the token list has 2 tokens, but the states have T = 3/,
    );
    const ids = { name: 'ids.json', bytes: new TextEncoder().encode('[1, -2, 3]') };
    expect(refusal([f32([2, 3, 2], VALUES), ids])).toMatch(/ids\.json: it is not a token list/);
    expect(
      refusal([
        statesFile(
          { hidden_states: { dtype: 'F32', shape: [2, 3, 2], data: Float32Array.from(VALUES) } },
          { tokens: '["a"]' },
        ),
      ]),
    ).toMatch(/token list has 1 tokens, but the states have T = 3/);
  });

  it('refuses files that are not hidden states, truncated ones, and more than one states file', () => {
    expect(refusal([statesFile({ x: { dtype: 'F32', shape: [4], data: new Float32Array(4) } })])).toMatch(
      /neither a LinScope stats file nor hidden states: it has no tensor "hidden_states"/,
    );
    const npy = writeNpy({ kind: 'f4', shape: [2, 3, 2], data: Float32Array.from(VALUES) });
    expect(refusal([{ name: 'cut.npy', bytes: npy.subarray(0, npy.length - 8) }])).toMatch(
      /cut\.npy: it is not a \.npy array LinScope reads: .*truncated/,
    );
    const st = fixture('states.safetensors');
    expect(
      refusal([{ name: 'cut.safetensors', bytes: st.bytes.subarray(0, st.bytes.length - 100) }]),
    ).toMatch(/cut\.safetensors: it is not a readable safetensors file/);
    expect(refusal([fixture('states.npy'), fixture('states.safetensors')])).toMatch(
      /one hidden-state file at a time/,
    );
    expect(refusal([fixture('tokens.json')])).toMatch(/a token list alone cannot be analysed/);
    expect(refusal([fixture('shard-a.safetensors')])).toMatch(/this is a stats file/);
  });
});
