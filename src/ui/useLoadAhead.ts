import { useEffect, useState } from 'react';
import type { WorkerClient } from '../worker/client';
import type { ModelRequest } from '../worker/protocol';

/** Where loading the chosen model ahead of Analyze stands: not tried (or not possible), under way, done. */
export type LoadAheadState = 'idle' | 'loading' | 'ready';

export interface LoadAheadOptions {
  /** The runtime is up, nothing runs, and the model fits this device. */
  readonly enabled: boolean;
  readonly client: WorkerClient | null;
  /** The chosen model's id, undefined while an unlisted one is being classified. */
  readonly modelId: string | undefined;
  readonly request: (id: string) => ModelRequest;
}

/** Wait after the last change of model before loading it: someone stepping through the list loads nothing. */
const SETTLE_MS = 500;

/**
 * Loads the chosen model in the worker while the user is still writing, so that Analyze starts with
 * the model's session made and warmed up (`load-ahead`: only from files the page already has, a Hub
 * model the browser has not downloaded stays `idle`). Asked again after each run: answered at once.
 */
export function useLoadAhead({ enabled, client, modelId, request }: LoadAheadOptions): LoadAheadState {
  // A fresh worker (after a failure, a spent runtime or a lost GPU) has no model loaded.
  const [workers, setWorkers] = useState(0);
  useEffect(() => client?.onWorkerRestart(() => setWorkers((n) => n + 1)), [client]);
  // Keyed by the model asked for and the worker: another model (or dtype), or the same in a fresh
  // worker, reads as not loaded until its own answer.
  const key = modelId ? `${workers}|${JSON.stringify(request(modelId).spec)}` : '';
  const [state, setState] = useState<{ key: string; value: LoadAheadState }>({ key: '', value: 'idle' });
  useEffect(() => {
    if (!enabled || !client || !modelId) return;
    let live = true;
    const timer = setTimeout(() => {
      setState((s) => (s.key === key && s.value === 'ready' ? s : { key, value: 'loading' }));
      client
        .loadAhead(request(modelId))
        .then((ready) => live && setState({ key, value: ready ? 'ready' : 'idle' }))
        .catch(() => live && setState({ key, value: 'idle' }));
    }, SETTLE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [enabled, client, modelId, request, key]);
  return state.key === key ? state.value : 'idle';
}

/** What the page says under the model picker; null when there is nothing to say. */
export function loadAheadText(state: LoadAheadState): string | null {
  if (state === 'loading') return 'Loading the model in the background, so that Analyze starts at once…';
  if (state === 'ready') return 'Model loaded.';
  return null;
}
