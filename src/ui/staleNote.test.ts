import { describe, expect, it } from 'vitest';
import { staleNote } from './staleNote';

describe('staleNote(status, stale, changed)', () => {
  it('says why an earlier result is still shown', () => {
    expect(staleNote('running', true, [])).toMatch(/new analysis is under way; this is the previous result/);
    expect(staleNote('loading', true, ['text'])).toMatch(/under way/);
    expect(staleNote('error', true, [])).toMatch(/last analysis failed.*previous result/);
  });

  it('names what the user changed since the result was computed', () => {
    expect(staleNote('done', false, ['settings'])).toBe(
      'The settings changed since this result was computed: press Analyze to update it.',
    );
    expect(staleNote('done', false, ['model', 'text', 'reference corpus'])).toBe(
      'The model, text and reference corpus changed since this result was computed: press Analyze to update it.',
    );
  });

  it('is silent when the result answers the inputs on the page', () => {
    expect(staleNote('done', false, [])).toBeNull();
    expect(staleNote('idle', false, [])).toBeNull();
    // A run that has not started yet with nothing shown before has nothing to be stale about.
    expect(staleNote('running', false, [])).toBeNull();
  });
});
