import { useEffect, useState } from 'react';
import { WorkerClient } from '../worker/client';

/** One worker for the page's lifetime (terminated on unmount). */
export function useWorkerClient(): WorkerClient | null {
  const [client, setClient] = useState<WorkerClient | null>(null);
  useEffect(() => {
    const c = new WorkerClient();
    setClient(c);
    return () => c.terminate();
  }, []);
  return client;
}
