import { type DragEvent, useId, useLayoutEffect, useRef, useState } from 'react';
import './PromptPanel.css';
import { Checkbox } from './Checkbox';
import { MAX_DRAFT_CHARS } from './draftText';
import { FileButton } from './FileButton';
import type { PromptInput } from './promptInput';
import { editedView, type PromptView, viewIsBlank, viewOf, withoutHidden } from './promptView';
import { type TokenCountView, tokenCountLine } from './tokenCountState';

interface PromptPanelProps {
  input: PromptInput;
  disabled: boolean;
  tokenCount: TokenCountView;
  windowLength: number;
  onChange: (input: PromptInput) => void;
  onFile: (file: File) => void;
}

const n = (v: number) => v.toLocaleString('en');

/** What the box leaves out of a long text, in words (`promptView.ts`). */
function hiddenNote(view: PromptView): string {
  const kept =
    view.text.length > MAX_DRAFT_CHARS
      ? ' A reload of the tab does not keep a text this long: keep a copy of your changes.'
      : '';
  return `The box shows the first ${n(view.shown.length)} of ${n(view.text.length)} characters: editing more would slow the page down. The other ${n(view.hidden.length)} are kept after them, unchanged, and analysed with them.${kept}`;
}

/** The text to analyse: typed, pasted, uploaded or dropped. */
export function PromptPanel({
  input,
  disabled,
  tokenCount,
  windowLength,
  onChange,
  onFile,
}: PromptPanelProps) {
  const ids = { text: useId(), count: useId(), hidden: useId() };
  const [dragging, setDragging] = useState(false);
  // A long text is edited in its first part only; the split stays put while the user edits it.
  const viewRef = useRef<PromptView | null>(null);
  const view = viewOf(input.text, viewRef.current);
  viewRef.current = view;
  // The box's value is set here, only when the text changed, rather than given to React: a
  // controlled textarea reads its value back and rewrites its default value (its text node) on every
  // render, which for a long text cost tens of milliseconds a keystroke.
  const box = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => {
    if (box.current && box.current.value !== view.shown) box.current.value = view.shown;
  }, [view.shown]);
  const edit = (next: PromptView) => {
    viewRef.current = next;
    onChange({
      ...input,
      text: next.text,
      fileName: null,
      blank: { text: next.text, blank: viewIsBlank(next) },
    });
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  };
  return (
    <fieldset
      className={`panel prompt-panel${dragging ? ' prompt-panel--drop' : ''}`}
      disabled={disabled}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="prompt-panel"
    >
      <legend>Text</legend>
      <label htmlFor={ids.text}>Type, paste, or drop a .txt, .md or .jsonl file here</label>
      <textarea
        id={ids.text}
        data-testid="prompt-input"
        ref={box}
        rows={7}
        spellCheck={false}
        aria-describedby={view.hidden ? `${ids.hidden} ${ids.count}` : ids.count}
        onChange={(e) => edit(editedView(view, e.target.value))}
      />
      {view.hidden && (
        <p className="hint" id={ids.hidden} data-testid="prompt-hidden-note">
          {hiddenNote(view)}{' '}
          <button type="button" data-testid="prompt-drop-hidden" onClick={() => edit(withoutHidden(view))}>
            Remove the {n(view.hidden.length)} characters not shown
          </button>
        </p>
      )}
      <div className="row prompt-panel__tools">
        <FileButton
          testId="file-input"
          accept=".txt,.md,.markdown,.jsonl,text/plain"
          onFiles={(files) => onFile(files[0])}
        >
          Upload a file…
        </FileButton>
        <Checkbox
          testId="corpus-toggle"
          checked={input.corpus}
          onChange={(corpus) => onChange({ ...input, corpus })}
        >
          A corpus: paragraphs separated by blank lines are separate texts
        </Checkbox>
      </div>
      <p
        className="hint prompt-panel__count"
        id={ids.count}
        data-testid="token-count"
        data-state={tokenCount.kind}
        aria-live="polite"
        aria-busy={tokenCount.kind === 'counting'}
      >
        {tokenCountLine(input.fileName, tokenCount, windowLength)}
      </p>
    </fieldset>
  );
}
