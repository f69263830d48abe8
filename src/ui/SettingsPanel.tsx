import { useId } from 'react';
import type { AnalysisSettings } from '../worker/analyzeJob';
import { FileButton } from './FileButton';

export type ReferenceChoice =
  | { kind: 'bundled' }
  | { kind: 'none' }
  | { kind: 'user'; name: string; texts: string[] };

interface SettingsPanelProps {
  settings: AnalysisSettings;
  reference: ReferenceChoice;
  disabled: boolean;
  onSettings: (settings: AnalysisSettings) => void;
  onReference: (reference: ReferenceChoice) => void;
  onReferenceFile: (file: File) => void;
}

/** How tokens are counted and what the per-token maps are fitted on. */
export function SettingsPanel({
  settings,
  reference,
  disabled,
  onSettings,
  onReference,
  onReferenceFile,
}: SettingsPanelProps) {
  const ids = { bos: useId(), massive: useId(), id: useId(), reference: useId() };
  return (
    <details className="panel settings-panel">
      <summary>Settings</summary>
      <fieldset disabled={disabled}>
        <label htmlFor={ids.bos} className="checkbox">
          <input
            id={ids.bos}
            type="checkbox"
            data-testid="exclude-bos"
            checked={settings.excludeBos}
            onChange={(e) => onSettings({ ...settings, excludeBos: e.target.checked })}
          />
          Leave the first token (BOS) out of the scores
        </label>
        <label htmlFor={ids.massive} className="checkbox">
          <input
            id={ids.massive}
            type="checkbox"
            data-testid="exclude-massive"
            checked={settings.excludeMassive}
            onChange={(e) => onSettings({ ...settings, excludeMassive: e.target.checked })}
          />
          Leave out massive-norm tokens (attention sinks)
        </label>
        <label htmlFor={ids.id} className="checkbox">
          <input
            id={ids.id}
            type="checkbox"
            data-testid="intrinsic-dimension"
            checked={settings.intrinsicDimension}
            onChange={(e) => onSettings({ ...settings, intrinsicDimension: e.target.checked })}
          />
          Intrinsic dimension per layer (TwoNN; slow for long texts)
        </label>
        <label htmlFor={ids.reference}>Per-token maps fitted on</label>
        <select
          id={ids.reference}
          data-testid="reference-select"
          value={reference.kind}
          onChange={(e) => {
            if (e.target.value === 'bundled') onReference({ kind: 'bundled' });
            else if (e.target.value === 'none') onReference({ kind: 'none' });
          }}
        >
          <option value="bundled">LinScope’s public-domain English corpus</option>
          {reference.kind === 'user' && <option value="user">{reference.name}</option>}
          <option value="none">Nothing (no heatmap)</option>
        </select>
        <FileButton
          testId="reference-input"
          accept=".txt,.md,.jsonl,text/plain"
          onFiles={(files) => onReferenceFile(files[0])}
        >
          Use my own reference corpus…
        </FileButton>
      </fieldset>
    </details>
  );
}
