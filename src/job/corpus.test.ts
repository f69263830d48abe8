import { describe, expect, it } from 'vitest';
import { LinScopeError } from '../errors';
import { splitCorpus } from './corpus';

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
