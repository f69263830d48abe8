import { useEffect, useState } from 'react';
import type { WorkerClient } from '../worker/client';
import type { BackendChoice, BackendInfo, DeviceLoss } from '../worker/protocol';

/** The WebGPU device was lost and the page moved to WASM (`WorkerClient.onDeviceFallback`). */
export interface BackendFallback {
  loss: DeviceLoss;
  /** Work that was under way runs again on WASM. */
  rerun: boolean;
}

export type BackendState =
  | { status: 'probing'; fallback?: BackendFallback }
  | { status: 'ready'; info: BackendInfo; fallback?: BackendFallback }
  | { status: 'failed'; message: string; fallback?: BackendFallback };

/**
 * Ask the worker which backend it runs on; re-probe when the user changes the choice. After a lost
 * GPU the worker runs on WASM: the state says so (with `fallback`) until the user chooses again.
 */
export function useBackend(client: WorkerClient | null, choice: BackendChoice): BackendState {
  const [state, setState] = useState<BackendState>({ status: 'probing' });
  useEffect(() => {
    if (!client) return;
    let live = true;
    const failed = (error: unknown) => (error instanceof Error ? error.message : String(error));
    setState({ status: 'probing' });
    client.probe(choice).then(
      (info) => live && setState({ status: 'ready', info }),
      (error: unknown) => live && setState({ status: 'failed', message: failed(error) }),
    );
    const unsubscribe = client.onDeviceFallback(({ loss, rerun, backend }) => {
      if (!live) return;
      const fallback = { loss, rerun };
      setState({ status: 'probing', fallback });
      backend.then(
        (info) => live && setState({ status: 'ready', info, fallback }),
        (error: unknown) => live && setState({ status: 'failed', message: failed(error), fallback }),
      );
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [client, choice]);
  return state;
}
