import { useState } from 'react';
import type { Continuation } from './continueText';
import './ContinuationPanel.css';

interface ContinuationPanelProps {
  disabled: boolean;
  /** Greedy continuation of the prompt (of BOS alone when the prompt is empty). */
  onContinue: (fromScratch: boolean) => Promise<Continuation>;
  /** Put this text (prompt and continuation) in the prompt box and analyze it. */
  onAnalyze: (text: string) => void;
}

/** A quick check that a model is sane: let it continue the text, greedily. */
export function ContinuationPanel({ disabled, onContinue, onAnalyze }: ContinuationPanelProps) {
  const [text, setText] = useState<Continuation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fromScratch: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setText(await onContinue(fromScratch));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="panel continuation-panel">
      <summary>Let the model write</summary>
      <p className="hint">Greedy decoding, 40 tokens: a quick way to see what the model knows.</p>
      <div className="row">
        <button
          type="button"
          data-testid="generate-button"
          disabled={disabled || busy}
          onClick={() => run(false)}
        >
          Continue my text
        </button>
        <button
          type="button"
          data-testid="generate-from-start"
          disabled={disabled || busy}
          onClick={() => run(true)}
        >
          Start from nothing
        </button>
      </div>
      {text !== null && (
        <>
          <p className="continuation-panel__text" data-testid="generation">
            {text.prompt && (
              <span className="continuation-panel__prompt" data-testid="generation-prompt">
                {text.prompt}
              </span>
            )}
            <mark className="continuation-panel__written" data-testid="generation-written">
              {text.written}
            </mark>
          </p>
          <p className="hint">
            <span className="continuation-panel__key continuation-panel__key--prompt">your text</span>{' '}
            <span className="continuation-panel__key continuation-panel__key--written">the model’s</span>
          </p>
          <button
            type="button"
            data-testid="generation-analyze"
            disabled={disabled || busy}
            onClick={() => onAnalyze(text.prompt + text.written)}
          >
            Analyze this text
          </button>
        </>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </details>
  );
}
