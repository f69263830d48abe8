import { describe, expect, it } from 'vitest';
import {
  editedView,
  MAX_SHOWN_CHARS,
  SHOWN_CHARS,
  shownEnd,
  splitForBox,
  viewIsBlank,
  viewOf,
  withoutHidden,
} from './promptView';

/** `count` lines of 99 characters and a line break: 100 characters a line. */
const lines = (count: number) => 'x'.repeat(99).concat('\n').repeat(count);

describe('what the prompt box shows of a text', () => {
  it('shows a text up to SHOWN_CHARS whole', () => {
    const text = 'a'.repeat(SHOWN_CHARS);
    expect(splitForBox(text)).toEqual({ text, shown: text, hidden: '', hiddenBlank: true });
  });

  it('shows a longer one up to a line break near the limit, and keeps the rest exactly', () => {
    const text = `${lines(SHOWN_CHARS / 100 - 1)}${'y'.repeat(150)}\n${lines(3000)}`;
    const view = splitForBox(text);
    expect(view.shown.length).toBe(SHOWN_CHARS - 100);
    expect(view.shown.endsWith('\n')).toBe(true);
    expect(view.hidden.startsWith('y'.repeat(150))).toBe(true);
    expect(view.shown + view.hidden).toBe(text);
    expect(view.hiddenBlank).toBe(false);
  });

  it('cuts at the limit where no line break is near, never between the halves of a character', () => {
    const plain = 'b'.repeat(SHOWN_CHARS + 10);
    expect(shownEnd(plain)).toBe(SHOWN_CHARS);
    // An emoji (two UTF-16 units) across the limit stays whole, in the hidden part.
    const emoji = `${'b'.repeat(SHOWN_CHARS - 1)}😀${'c'.repeat(10)}`;
    const view = splitForBox(emoji);
    expect(view.shown.length).toBe(SHOWN_CHARS - 1);
    expect(view.hidden.startsWith('😀')).toBe(true);
    expect(view.shown + view.hidden).toBe(emoji);
  });

  it('keeps the split while the shown part is edited, and the hidden part after it unchanged', () => {
    const text = lines(SHOWN_CHARS / 50);
    const view = splitForBox(text);
    const typed = editedView(view, `${view.shown}typed`);
    expect(typed.text).toBe(`${view.shown}typed${view.hidden}`);
    expect(typed.hidden).toBe(view.hidden);
    // The next render finds the same view for the text it made: the typed text stays in the box.
    expect(viewOf(typed.text, typed)).toBe(typed);
    expect(viewOf(typed.text, view).shown).not.toContain('typed');
    const cut = editedView(typed, 'start');
    expect(cut.text).toBe(`start${view.hidden}`);
  });

  it('splits again when a paste makes the box too long, and anew for a text from elsewhere', () => {
    const view = splitForBox('short');
    const pasted = editedView(view, 'z'.repeat(MAX_SHOWN_CHARS + 1));
    expect(pasted.shown.length).toBe(SHOWN_CHARS);
    expect(pasted.shown + pasted.hidden).toBe('z'.repeat(MAX_SHOWN_CHARS + 1));
    expect(viewOf('another', pasted)).toEqual(splitForBox('another'));
  });

  it('removes the hidden part only when asked', () => {
    const view = splitForBox(lines(SHOWN_CHARS / 50));
    expect(withoutHidden(view)).toEqual({
      text: view.shown,
      shown: view.shown,
      hidden: '',
      hiddenBlank: true,
    });
  });

  it('knows whether the text is blank from its parts', () => {
    const spaces = ' \n'.repeat(SHOWN_CHARS);
    const view = splitForBox(spaces);
    expect(view.hidden.length).toBeGreaterThan(0);
    expect(viewIsBlank(view)).toBe(true);
    expect(viewIsBlank(editedView(view, `${view.shown}x`))).toBe(false);
    const hiddenWord = splitForBox(`${spaces}word`);
    expect(viewIsBlank(hiddenWord)).toBe(false);
    expect(viewIsBlank(editedView(hiddenWord, ''))).toBe(false);
    expect(viewIsBlank(splitForBox(''))).toBe(true);
  });
});
