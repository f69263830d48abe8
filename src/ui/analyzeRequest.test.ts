import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../job/settings';
import {
  analyzeRequest,
  inputProblem,
  NO_TEXT_MESSAGE,
  referenceAheadRequest,
  requestReference,
} from './analyzeRequest';
import {
  REFERENCE_AHEAD_STORAGE_KEY,
  referenceAheadFromSearch,
  referenceAheadText,
  rememberReferenceAhead,
  storedReferenceAhead,
} from './useReferenceAhead';

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

  it('refuses an input with no text, saying what to do in the words of the Analyze hint', () => {
    const refusal = (text: string, corpus = false) =>
      analyzeRequest({
        model,
        input: { text, corpus, fileName: null },
        settings: DEFAULT_SETTINGS,
        reference: { kind: 'none' },
        threads: undefined,
      });
    expect(refusal('')).toEqual({ ok: false, message: NO_TEXT_MESSAGE });
    // Only blanks (a link's ?prompt=%20%20&run=1): the text is there, and it is only spaces.
    for (const text of ['  ', '  \n ', '\t\u00a0']) {
      const outcome = refusal(text);
      expect(outcome).toEqual({
        ok: false,
        message: 'The text is only spaces and line breaks. Type or upload some text to analyze.',
      });
      expect(outcome.ok === false && outcome.message).toBe(
        inputProblem({ text, corpus: false, fileName: null }),
      );
    }
    expect(refusal('\n\n\n', true)).toEqual({ ok: false, message: NO_TEXT_MESSAGE });
  });

  it('judges a corpus without splitting it, as its split would: refused exactly when it has no document', () => {
    const texts = [
      '',
      '\n\n\n',
      ' \t\u00a0\ufeff\n\n \u2028',
      'a',
      '\n\n  x  \n\n',
      'one\n\ntwo',
      '\u00a0\u3000b',
    ];
    for (const text of texts) {
      const input = { text, corpus: true, fileName: null };
      const split = analyzeRequest({
        model,
        input,
        settings: DEFAULT_SETTINGS,
        reference: { kind: 'none' },
        threads: undefined,
      });
      expect(inputProblem(input), JSON.stringify(text)).toBe(split.ok ? null : split.message);
    }
    expect(inputProblem({ text: ' \n\n ', corpus: true, fileName: null })).toBe(NO_TEXT_MESSAGE);
    expect(inputProblem({ text: 'x', corpus: true, fileName: null })).toBeNull();
  });

  it('takes the box’s word on whether its text is blank only for that very text', () => {
    const text = `${' '.repeat(10)}word`;
    // The box knew the text it made (a long text's parts): the text itself is not read.
    expect(inputProblem({ text, corpus: false, fileName: null, blank: { text, blank: true } })).toBe(
      'The text is only spaces and line breaks. Type or upload some text to analyze.',
    );
    // What it knew of another text is ignored.
    expect(
      inputProblem({ text, corpus: false, fileName: null, blank: { text: '  ', blank: true } }),
    ).toBeNull();
    expect(inputProblem({ text: '  ', corpus: true, fileName: null, blank: { text, blank: false } })).toBe(
      NO_TEXT_MESSAGE,
    );
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

describe('referenceAheadRequest(options): what fitting the reference ahead is sent', () => {
  const settings = { ...DEFAULT_SETTINGS, excludeBos: false, maxWindow: 128 };
  const input = { text: 'some text', corpus: false, fileName: null };

  it('sends the model, settings and reference the analysis would be sent', () => {
    for (const reference of [
      { kind: 'bundled' as const },
      { kind: 'user' as const, name: 'mine.txt', texts: ['a text of mine'] },
    ]) {
      const options = { model, settings, reference, threads: 2, referenceTokensPerDim: 16 };
      const analysis = analyzeRequest({ ...options, input });
      if (!analysis.ok) throw new Error(analysis.message);
      const { texts: _texts, ...rest } = analysis.request;
      expect(referenceAheadRequest(options)).toEqual(rest);
    }
    expect(
      referenceAheadRequest({ model, settings, reference: { kind: 'bundled' }, threads: undefined }),
    ).toEqual({ model, settings, reference: 'bundled' });
  });

  it('has nothing to fit ahead without a reference or for the model’s own text', () => {
    expect(referenceAheadRequest({ model, settings, reference: { kind: 'none' }, threads: undefined })).toBe(
      null,
    );
    expect(referenceAheadRequest({ model, settings, reference: { kind: 'model' }, threads: undefined })).toBe(
      null,
    );
  });

  it('is on unless ?referenceAhead=0 (or false)', () => {
    expect(referenceAheadFromSearch('')).toBe(true);
    expect(referenceAheadFromSearch('?referenceAhead=1')).toBe(true);
    expect(referenceAheadFromSearch('?model=a/b&referenceAhead=0')).toBe(false);
    expect(referenceAheadFromSearch('?referenceAhead=false')).toBe(false);
  });

  it('is remembered off once the user turns it off, and storage that throws leaves it on', () => {
    const items = new Map<string, string>();
    const storage = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
    };
    expect(storedReferenceAhead(storage)).toBe(true);
    rememberReferenceAhead(false, storage);
    expect(items.get(REFERENCE_AHEAD_STORAGE_KEY)).toBe('off');
    expect(storedReferenceAhead(storage)).toBe(false);
    rememberReferenceAhead(true, storage);
    expect(storedReferenceAhead(storage)).toBe(true);
    const blocked = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('blocked');
      },
    };
    expect(storedReferenceAhead(blocked)).toBe(true);
    expect(() => rememberReferenceAhead(false, blocked)).not.toThrow();
    expect(storedReferenceAhead(null)).toBe(true);
  });

  it('says where the fit ahead is', () => {
    expect(referenceAheadText({ kind: 'idle' })).toBe(null);
    expect(
      referenceAheadText({
        kind: 'fitting',
        progress: { stage: 'forward', of: 'reference', window: 3, windows: 16 },
      }),
    ).toBe(
      'Fitting the reference in the background, so that Analyze shows every result at once: window 3 of 16…',
    );
    expect(
      referenceAheadText({
        kind: 'fitting',
        progress: { stage: 'forward', of: 'reference-check', window: 1, windows: 8 },
      }),
    ).toMatch(/: checking it on held-out text, window 1 of 8…$/);
    expect(referenceAheadText({ kind: 'fitting', progress: { stage: 'fit', done: 2, total: 12 } })).toMatch(
      /: layer pair 2 of 12…$/,
    );
    expect(referenceAheadText({ kind: 'fitted' })).toBe('Reference fitted: Analyze needs no reference work.');
    expect(referenceAheadText({ kind: 'stopped' })).toBe('Reference fit stopped: Analyze will fit it.');
  });
});
