/**
 * What the prompt box shows of a long text. A browser's text box lays out its whole value again on
 * every keystroke: with a 20 MB file in it, each key took seconds in Chromium (docs/performance.md,
 * "A large text in the prompt box"). So a text longer than `SHOWN_CHARS` is shown up to a line
 * break near that length, editable, and the rest is kept out of the box, unchanged and analysed
 * with it: the text is always `shown + hidden`, nothing is dropped unless the user says so.
 */
import { isBlank } from './promptInput';

/** The most characters the box is given to edit (about 30-60 ms a keystroke in Chromium). */
export const SHOWN_CHARS = 500_000;
/** An edit (a paste) that makes the shown part longer than this splits the text again. */
export const MAX_SHOWN_CHARS = 600_000;
/** How far back from `SHOWN_CHARS` a line break is looked for to end the shown part on. */
const LINE_SEARCH = 20_000;

/** A text as the box shows it: `shown` in the box, `hidden` kept after it; `text === shown + hidden`. */
export interface PromptView {
  readonly text: string;
  readonly shown: string;
  readonly hidden: string;
  /** Whether `hidden` is all blank, found once when the text is split. */
  readonly hiddenBlank: boolean;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** Where the shown part of `text` ends: after a line break near `SHOWN_CHARS`, never inside a character. */
export function shownEnd(text: string): number {
  if (text.length <= SHOWN_CHARS) return text.length;
  const lineBreak = text.lastIndexOf('\n', SHOWN_CHARS - 1);
  if (lineBreak >= SHOWN_CHARS - LINE_SEARCH) return lineBreak + 1;
  // No line break near: cut at the limit, but not between the two halves of a surrogate pair.
  return isHighSurrogate(text.charCodeAt(SHOWN_CHARS - 1)) ? SHOWN_CHARS - 1 : SHOWN_CHARS;
}

/** `text` split for the box. */
export function splitForBox(text: string): PromptView {
  const end = shownEnd(text);
  if (end === text.length) return { text, shown: text, hidden: '', hiddenBlank: true };
  const hidden = text.slice(end);
  return { text, shown: text.slice(0, end), hidden, hiddenBlank: isBlank(hidden) };
}

/**
 * The view of `text`: `previous` where it is the view of this very text (the split stays where it
 * was while the user edits the shown part), else `text` split afresh (a file, a link, a new text).
 */
export function viewOf(text: string, previous: PromptView | null): PromptView {
  return previous !== null && previous.text === text ? previous : splitForBox(text);
}

/**
 * The view after the user edited the box to hold `shown`: the hidden part kept after it. A paste
 * that makes the box too long splits the whole text again.
 */
export function editedView(view: PromptView, shown: string): PromptView {
  const text = view.hidden ? shown + view.hidden : shown;
  return shown.length > MAX_SHOWN_CHARS
    ? splitForBox(text)
    : { text, shown, hidden: view.hidden, hiddenBlank: view.hiddenBlank };
}

/** The view once the user removed the part the box does not show. */
export function withoutHidden(view: PromptView): PromptView {
  return { text: view.shown, shown: view.shown, hidden: '', hiddenBlank: true };
}

/**
 * Whether the view's text is blank, reading only the box's part: the text itself, made by an edit
 * as `shown + hidden`, would be copied whole by the first read (250 ms for 20 MB in Chromium).
 */
export function viewIsBlank(view: PromptView): boolean {
  return view.hiddenBlank && isBlank(view.shown);
}
