import { useId } from 'react';
import type { AnalysisSettings } from '../job/settings';
import { Checkbox } from './Checkbox';
import { FileButton } from './FileButton';

export type ReferenceChoice =
  | { kind: 'bundled' }
  | { kind: 'none' }
  /** The model's own text: seeded samples it writes (`modelTextReference`). */
  | { kind: 'model' }
  | { kind: 'user'; name: string; texts: string[] };

interface SettingsPanelProps {
  settings: AnalysisSettings;
  reference: ReferenceChoice;
  disabled: boolean;
  onSettings: (settings: AnalysisSettings) => void;
  onReference: (reference: ReferenceChoice) => void;
  onReferenceFile: (file: File) => void;
  /** Whether the page fits the reference in the background while the user writes (remembered). */
  fitAhead: boolean;
  onFitAhead: (on: boolean) => void;
}

/** How tokens are counted and what the per-token maps are fitted on. */
export function SettingsPanel({
  settings,
  reference,
  disabled,
  onSettings,
  onReference,
  onReferenceFile,
  fitAhead,
  onFitAhead,
}: SettingsPanelProps) {
  const referenceId = useId();
  return (
    <details className="panel settings-panel">
      <summary>Settings</summary>
      <fieldset disabled={disabled}>
        <Checkbox
          testId="exclude-bos"
          checked={settings.excludeBos}
          onChange={(v) => onSettings({ ...settings, excludeBos: v })}
        >
          Leave each document's first token (BOS) out of the scores
        </Checkbox>
        <Checkbox
          testId="exclude-massive"
          checked={settings.excludeMassive}
          onChange={(v) => onSettings({ ...settings, excludeMassive: v })}
        >
          Leave out massive-norm tokens (attention sinks)
        </Checkbox>
        <Checkbox
          testId="intrinsic-dimension"
          checked={settings.intrinsicDimension}
          onChange={(v) => onSettings({ ...settings, intrinsicDimension: v })}
        >
          Intrinsic dimension per layer (TwoNN; slow for long texts)
        </Checkbox>
        <label htmlFor={referenceId}>Per-token maps fitted on</label>
        <select
          id={referenceId}
          data-testid="reference-select"
          value={reference.kind}
          onChange={(e) => {
            if (e.target.value === 'bundled') onReference({ kind: 'bundled' });
            else if (e.target.value === 'none') onReference({ kind: 'none' });
            else if (e.target.value === 'model') onReference({ kind: 'model' });
          }}
        >
          <option value="bundled">
            LinScope’s corpus of the model’s domain (English; stories for story models)
          </option>
          <option value="model">The model’s own text (it writes samples first, seeded)</option>
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
        <Checkbox testId="fit-ahead" checked={fitAhead} onChange={onFitAhead}>
          Fit the reference in the background while I write (first runs of a model then complete in seconds;
          it uses every core for about a minute per model on a CPU)
        </Checkbox>
      </fieldset>
    </details>
  );
}
