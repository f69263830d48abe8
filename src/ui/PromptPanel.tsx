import { type DragEvent, useId, useState } from 'react';
import { Checkbox } from './Checkbox';
import { FileButton } from './FileButton';
import type { PromptInput } from './promptInput';
import { type TokenCountView, tokenCountLine } from './tokenCountState';

interface PromptPanelProps {
  input: PromptInput;
  disabled: boolean;
  tokenCount: TokenCountView;
  windowLength: number;
  onChange: (input: PromptInput) => void;
  onFile: (file: File) => void;
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
      <p
        className="hint"
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
