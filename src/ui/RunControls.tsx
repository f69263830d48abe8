interface RunControlsProps {
  /** Analyze is offered (the runtime is up and nothing is running). */
  canStart: boolean;
  /** Why the input cannot be analyzed (Analyze is then disabled, and this says why), or null. */
  inputProblem: string | null;
  /** A run is under way: Cancel is shown. */
  busy: boolean;
  onAnalyze: () => void;
  onCancel: () => void;
}

/** Analyze, and Cancel while a run is under way. */
export function RunControls({ canStart, inputProblem, busy, onAnalyze, onCancel }: RunControlsProps) {
  return (
    <div className="row run-controls">
      <button
        type="button"
        className="primary"
        data-testid="analyze-button"
        disabled={!canStart || inputProblem !== null}
        aria-describedby={inputProblem !== null ? 'analyze-hint' : undefined}
        onClick={onAnalyze}
      >
        Analyze
      </button>
      {busy && (
        <button type="button" data-testid="cancel-button" onClick={onCancel}>
          Cancel
        </button>
      )}
      {inputProblem !== null && !busy && (
        <span id="analyze-hint" className="muted" data-testid="analyze-hint">
          {inputProblem}
        </span>
      )}
    </div>
  );
}
