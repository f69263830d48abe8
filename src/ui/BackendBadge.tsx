import type { BackendInfo } from '../worker/protocol';
import type { BackendState } from './useBackend';
import './BackendBadge.css';

export function describeBackend(info: BackendInfo): string {
  if (info.backend === 'webgpu') return `WebGPU · ${info.adapter ?? 'unknown adapter'}`;
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  const notes = [
    info.crossOriginIsolated ? null : 'not cross-origin isolated',
    info.skippedSoftwareAdapter ? 'the only GPU is a software one' : null,
  ].filter((note): note is string => note !== null);
  return `WASM · ${threads}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/** Which backend the analyses run on, as the worker found it. */
export function BackendBadge({ state }: { state: BackendState }) {
  const text =
    state.status === 'probing'
      ? state.fallback
        ? 'Switching to WASM…'
        : 'Starting runtime…'
      : state.status === 'failed'
        ? `Runtime unavailable: ${state.message}`
        : describeBackend(state.info);
  const info = state.status === 'ready' ? state.info : null;
  return (
    <output
      className={`backend-badge backend-badge--${state.status}`}
      data-testid="backend"
      data-backend={info?.backend ?? ''}
      data-threads={info?.threads ?? ''}
      data-isolated={info ? String(info.crossOriginIsolated) : ''}
      data-skipped-adapter={info?.skippedSoftwareAdapter ?? ''}
      data-fallback={state.fallback ? 'device-lost' : ''}
      title={info?.webgpuUnavailableReason ?? undefined}
    >
      {text}
    </output>
  );
}
