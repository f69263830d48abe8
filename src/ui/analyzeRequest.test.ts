import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../job/settings';
import { analyzeRequest, inputProblem, NO_TEXT_MESSAGE, requestReference } from './analyzeRequest';

const model = { spec: { id: 'linscope/tiny-gpt2', dtype: 'fp32' as const }, allowHub: false };

describe('analyzeRequest(options)', () => {
  it('sends one text for a prompt and one per paragraph for a corpus', () => {
    const base = { model, settings: DEFAULT_SETTINGS, reference: { kind: 'bundled' as const }, threads: 4 };
    const prompt = analyzeRequest({
      ...base,
      input: { text: ' one\n\ntwo ', corpus: false, fileName: null },
    });
    expect(prompt).toEqual({
      ok: true,
      request: {
        model,
        texts: [' one\n\ntwo '],
        settings: DEFAULT_SETTINGS,
        reference: 'bundled',
        threads: 4,
      },
    });
    const corpus = analyzeRequest({ ...base, input: { text: ' one\n\ntwo ', corpus: true, fileName: null } });
    expect(corpus.ok && corpus.request.texts).toEqual(['one', 'two']);
  });

  it('refuses an input with no text, saying what to do', () => {
    const outcome = analyzeRequest({
      model,
      input: { text: '  \n ', corpus: false, fileName: null },
      settings: DEFAULT_SETTINGS,
      reference: { kind: 'none' },
      threads: undefined,
    });
    expect(outcome).toEqual({ ok: false, message: NO_TEXT_MESSAGE });
  });
});

describe('requestReference(choice)', () => {
  it('maps the choice to what the worker reads', () => {
    expect(requestReference({ kind: 'bundled' })).toBe('bundled');
    expect(requestReference({ kind: 'none' })).toBeNull();
    expect(requestReference({ kind: 'user', name: 'ref.txt', texts: ['a', 'b'] })).toEqual({
      source: 'user',
      name: 'ref.txt',
      texts: ['a', 'b'],
    });
  });
});

describe('inputProblem(input)', () => {
  const prompt = (text: string, corpus = false) => ({ text, corpus, fileName: null });

  it('names an empty or blank input, and nothing else', () => {
    expect(inputProblem(prompt(''))).toBe(NO_TEXT_MESSAGE);
    expect(inputProblem(prompt(' \n\t\u00a0\n'))).toMatch(/only spaces and line breaks/);
    expect(inputProblem(prompt('\n\n\n', true))).toBe(NO_TEXT_MESSAGE);
    expect(inputProblem(prompt('In the beginning'))).toBeNull();
    expect(inputProblem(prompt('one\n\ntwo', true))).toBeNull();
    // One visible character is text: the model decides what it makes of it.
    expect(inputProblem(prompt('\u200b'))).toBeNull();
  });
});
