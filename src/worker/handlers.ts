import { probeBackend } from '../model/webRuntime';
import type { BackendChoice, BackendInfo } from './protocol';

/** Worker job handlers: plain async functions, so tests and other hosts can call them directly. */
export async function handleProbe(backend: BackendChoice, assetBase: string): Promise<BackendInfo> {
  return probeBackend(backend, assetBase);
}
