import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../job/settings';
import { inputsFromShared, shareStateOf } from './shareInputs';

const settings = { ...DEFAULT_SETTINGS, maxWindow: 128 };

describe('shareStateOf(model, inputs, focusLayer)', () => {
  it('keeps a user reference by name only and drops the file name', () => {
    const state = shareStateOf(
      { id: 'Xenova/gpt2', dtype: 'q8' },
      {
        input: { text: 'a\n\nb', corpus: true, fileName: 'docs.txt' },
        settings,
        reference: { kind: 'user', name: 'ref.txt', texts: ['x', 'y'] },
      },
      3,
    );
    expect(state).toEqual({
      model: { id: 'Xenova/gpt2', revision: 'main', dtype: 'q8' },
      settings,
      reference: { kind: 'user', name: 'ref.txt' },
      input: { text: 'a\n\nb', corpus: true },
      focusLayer: 3,
    });
  });

  it('passes the bundled and no-reference choices through', () => {
    const inputs = { input: { text: 't', corpus: false, fileName: null }, settings };
    const model = { id: 'm', dtype: 'fp32' as const };
    expect(shareStateOf(model, { ...inputs, reference: { kind: 'bundled' } }, null).reference).toEqual({
      kind: 'bundled',
    });
    expect(shareStateOf(model, { ...inputs, reference: { kind: 'none' } }, null).reference).toEqual({
      kind: 'none',
    });
  });
});

describe('inputsFromShared(state)', () => {
  const shared = shareStateOf(
    { id: 'm', dtype: 'fp32' },
    { input: { text: 'hello', corpus: false, fileName: 'f.txt' }, settings, reference: { kind: 'none' } },
    null,
  );

  it('restores the text, settings and a missing reference', () => {
    expect(inputsFromShared(shared)).toEqual({
      input: { text: 'hello', corpus: false, fileName: null },
      settings,
      reference: { kind: 'none' },
    });
  });

  it('puts the bundled corpus in place of a user reference, whose texts did not travel', () => {
    const restored = inputsFromShared({ ...shared, reference: { kind: 'user', name: 'ref.txt' } });
    expect(restored.reference).toEqual({ kind: 'bundled' });
  });
});
