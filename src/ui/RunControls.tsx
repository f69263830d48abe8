interface RunControlsProps {
  /** Analyze is offered (the runtime is up and nothing is running). */
  canStart: boolean;
  /** A run is under way: Cancel is shown. */
  busy: boolean;
  onAnalyze: () => void;
  onCancel: () => void;
}

/** Analyze, and Cancel while a run is under way. */
export function RunControls({ canStart, busy, onAnalyze, onCancel }: RunControlsProps) {
  return (
    <div className="row run-controls">
      <button
        type="button"
        className="primary"
        data-testid="analyze-button"
        disabled={!canStart}
        onClick={onAnalyze}
      >
        Analyze
      </button>
      {busy && (
        <button type="button" data-testid="cancel-button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
