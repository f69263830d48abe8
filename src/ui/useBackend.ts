import { useEffect, useState } from 'react';
import type { WorkerClient } from '../worker/client';
import type { BackendChoice, BackendInfo } from '../worker/protocol';

export type BackendState =
  | { status: 'probing' }
  | { status: 'ready'; info: BackendInfo }
  | { status: 'failed'; message: string };

/** Ask the worker which backend it runs on; re-probe when the user changes the choice. */
export function useBackend(client: WorkerClient | null, choice: BackendChoice): BackendState {
  const [state, setState] = useState<BackendState>({ status: 'probing' });
  useEffect(() => {
    if (!client) return;
    let live = true;
    setState({ status: 'probing' });
    client.probe(choice).then(
      (info) => live && setState({ status: 'ready', info }),
      (error: unknown) =>
        live &&
        setState({ status: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
  }, [client, choice]);
  return state;
}
