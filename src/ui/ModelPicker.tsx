import { useId, useState } from 'react';
import { type CatalogModel, isHubId } from '../model/catalog';
import type { ModelDtype } from '../model/config';
import { FileButton } from './FileButton';

export interface PickerModel extends Omit<CatalogModel, 'source'> {
  source: CatalogModel['source'] | 'local';
}

interface ModelPickerProps {
  models: readonly PickerModel[];
  modelId: string;
  dtype: ModelDtype;
  disabled: boolean;
  onModel: (id: string) => void;
  onDtype: (dtype: ModelDtype) => void;
  /** A Hub id the user typed. */
  onHubId: (id: string) => void;
  onOpenFolder: (files: File[]) => void;
  onOpenLlama2c: (files: File[]) => void;
}

const GROUPS: { source: PickerModel['source']; label: string }[] = [
  { source: 'bundled', label: 'Ships with LinScope (offline)' },
  { source: 'local', label: 'Opened from your disk' },
  { source: 'hub', label: 'Hugging Face Hub (downloads)' },
];

function sizeLabel(model: PickerModel, dtype: ModelDtype): string {
  const mb = model.sizes[dtype];
  if (model.source === 'local') return 'Held in this tab';
  if (!mb) return model.source === 'hub' ? 'Download size unknown' : 'Served with LinScope';
  return `≈${mb} MB`;
}

/** Which model to look at: the bundled one, a curated Hub model, a typed Hub id, or files from disk. */
export function ModelPicker(props: ModelPickerProps) {
  const { models, modelId, dtype, disabled } = props;
  const ids = { select: useId(), dtype: useId(), hub: useId(), hubError: useId() };
  const [hubText, setHubText] = useState('');
  const [hubError, setHubError] = useState<string | null>(null);
  const current = models.find((m) => m.id === modelId);
  // A model whose files LinScope does not know (a typed Hub id) may have any of the usual variants.
  const known = current ? (Object.keys(current.sizes) as ModelDtype[]) : [];
  const dtypes: ModelDtype[] = known.length > 0 ? known : ['q8', 'fp32', 'fp16', 'q4', 'q4f16'];

  const submitHub = () => {
    const id = hubText.trim();
    if (!isHubId(id)) {
      setHubError('A Hub id looks like owner/name, for example Xenova/gpt2.');
      return;
    }
    setHubError(null);
    setHubText('');
    props.onHubId(id);
  };

  return (
    <fieldset className="panel model-picker" disabled={disabled}>
      <legend>Model</legend>
      <label htmlFor={ids.select}>Model</label>
      <select
        id={ids.select}
        data-testid="model-select"
        // A long Hub id can still be wider than the column: its whole name on hover.
        title={current?.label ?? modelId}
        value={modelId}
        onChange={(e) => props.onModel(e.target.value)}
      >
        {GROUPS.map((g) => {
          const inGroup = models.filter((m) => m.source === g.source);
          return inGroup.length === 0 ? null : (
            <optgroup key={g.source} label={g.label}>
              {inGroup.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </optgroup>
          );
        })}
      </select>
      {current && (
        <p className="hint" data-testid="model-info">
          {current.layers > 0 ? `${current.layers} layers, d = ${current.hidden}. ` : ''}
          {sizeLabel(current, dtype)}. {current.notes}
        </p>
      )}
      <label htmlFor={ids.dtype}>Weights</label>
      <select
        id={ids.dtype}
        data-testid="dtype-select"
        value={dtype}
        onChange={(e) => props.onDtype(e.target.value as ModelDtype)}
      >
        {dtypes.map((d) => (
          <option key={d} value={d}>
            {d}
            {current?.sizes[d] ? ` (≈${current.sizes[d]} MB)` : ''}
          </option>
        ))}
      </select>
      <details className="model-picker__more">
        <summary>Another model…</summary>
        <label htmlFor={ids.hub}>Hugging Face Hub id</label>
        <div className="row">
          <input
            id={ids.hub}
            data-testid="hub-id-input"
            placeholder="owner/name"
            value={hubText}
            aria-invalid={hubError !== null}
            aria-describedby={hubError ? ids.hubError : undefined}
            onChange={(e) => setHubText(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && submitHub()}
          />
          <button type="button" onClick={submitHub}>
            Use
          </button>
        </div>
        {hubError && (
          <p className="field-error" id={ids.hubError} role="alert">
            {hubError}
          </p>
        )}
        <FileButton testId="model-folder-input" directory onFiles={props.onOpenFolder}>
          Open a model folder (config.json, tokenizer.json, onnx/)…
        </FileButton>
        <FileButton testId="llama2c-input" multiple accept=".bin" onFiles={props.onOpenLlama2c}>
          Open a llama2.c checkpoint (model .bin + tokenizer .bin)…
        </FileButton>
      </details>
    </fieldset>
  );
}
