import { describe, expect, it } from 'vitest';
import { splitContinuation } from './continueText';

describe('splitContinuation(prompt, decoded)', () => {
  it('separates what the model wrote from the prompt it was given', () => {
    expect(splitContinuation('In the beginning', 'In the beginning God created')).toEqual({
      prompt: 'In the beginning',
      written: ' God created',
    });
  });

  it('calls all of it new when there was no prompt, or the decoding does not start with it', () => {
    expect(splitContinuation('', 'Once upon a time')).toEqual({ prompt: '', written: 'Once upon a time' });
    expect(splitContinuation('naïve', 'naive text')).toEqual({ prompt: '', written: 'naive text' });
  });
});
