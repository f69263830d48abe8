import type { BackendChoice } from '../worker/protocol';
import { BACKEND_CHOICES } from './backendChoice';

interface BackendSelectProps {
  value: BackendChoice;
  /** Locked while a run is under way: switching would re-probe the worker it runs in. */
  disabled: boolean;
  onChange: (choice: BackendChoice) => void;
}

const LABELS: Record<BackendChoice, string> = {
  auto: 'Auto (a hardware GPU, else WASM)',
  webgpu: 'WebGPU',
  wasm: 'WASM',
};

/** The runtime the analyses use: WebGPU, WASM, or whichever this browser offers. */
export function BackendSelect({ value, disabled, onChange }: BackendSelectProps) {
  return (
    <label>
      Backend{' '}
      <select
        value={value}
        onChange={(e) => onChange(e.target.value as BackendChoice)}
        data-testid="backend-select"
        disabled={disabled}
      >
        {BACKEND_CHOICES.map((c) => (
          <option key={c} value={c}>
            {LABELS[c]}
          </option>
        ))}
      </select>
    </label>
  );
}
