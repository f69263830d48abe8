import { type DragEvent, useId, useState } from 'react';
import type { TokenCount } from '../worker/protocol';
import { Checkbox } from './Checkbox';
import { FileButton } from './FileButton';
import type { PromptInput } from './promptInput';

interface PromptPanelProps {
  input: PromptInput;
  disabled: boolean;
  tokenCount: TokenCount | null;
  windowLength: number;
  onChange: (input: PromptInput) => void;
  onFile: (file: File) => void;
}

function countLine(count: TokenCount | null, windowLength: number): string {
  if (!count) return '';
  const context = count.contextLength ?? windowLength;
  const window = Math.min(context, windowLength);
  const windows = Math.max(1, Math.ceil(count.tokens / window));
  const n = (v: number) => v.toLocaleString('en');
  const split =
    windows > 1 ? ` · longer than the ${n(window)}-token window: runs in ${n(windows)} windows` : '';
  return `${n(count.tokens)} tokens · context ${n(context)}${split}`;
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
  const ids = { text: useId(), count: useId() };
  const [dragging, setDragging] = useState(false);
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
        rows={7}
        value={input.text}
        spellCheck={false}
        aria-describedby={ids.count}
        onChange={(e) => onChange({ ...input, text: e.target.value, fileName: null })}
      />
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
      <p className="hint" id={ids.count} data-testid="token-count" aria-live="polite">
        {input.fileName ? `${input.fileName} · ` : ''}
        {countLine(tokenCount, windowLength)}
      </p>
    </fieldset>
  );
}
