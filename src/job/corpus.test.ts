import { describe, expect, it } from 'vitest';
import { LinScopeError } from '../errors';
import { referenceTooSmall, splitCorpus } from './corpus';

describe('splitCorpus()', () => {
  it('reads .jsonl lines as objects with a text or as strings, skipping blank lines', () => {
    expect(splitCorpus('{"text": "one"}\n\n"two"\n{"text": "three", "id": 3}\n', 'c.jsonl')).toEqual([
      'one',
      'two',
      'three',
    ]);
  });

  it('splits plain text at blank lines (with spaces on them too)', () => {
    expect(splitCorpus('first doc\nstill first\n\nsecond\n   \nthird\n', 'c.txt')).toEqual([
      'first doc\nstill first',
      'second',
      'third',
    ]);
  });

  it('names the file and line of a bad .jsonl line', () => {
    expect(() => splitCorpus('{"text": "ok"}\n{oops}\n', 'my.jsonl')).toThrowError(
      'my.jsonl line 2 is not JSON',
    );
    expect(() => splitCorpus('{"title": "x"}', 'my.jsonl')).toThrowError(LinScopeError);
  });
});

describe('referenceTooSmall(name, tokens, hidden)', () => {
  it('refuses n <= d, saying what is needed', () => {
    expect(referenceTooSmall('tiny.txt', 128, 128)).toBe(
      'The reference corpus “tiny.txt” has 128 tokens for a model of width d = 128: per-token maps need more tokens than dimensions (a map fitted on fewer only interpolates them). Choose a longer corpus: 1,024 tokens or more, or LinScope’s.',
    );
    expect(referenceTooSmall('tiny.txt', 3, 768)).toMatch(/has 3 tokens for a model of width d = 768/);
  });

  it('accepts n > d, and a model whose width is unknown', () => {
    expect(referenceTooSmall('ok.txt', 129, 128)).toBeNull();
    expect(referenceTooSmall('ok.txt', 3, null)).toBeNull();
  });
});
