import type { LinScopeResult } from '../job/result';
import { exportFileName } from '../share/fileNames';
import { serializeResult } from '../share/resultJson';
import type { WorkerClient } from '../worker/client';
import { downloadBlob } from './download';

/** Saves the result as the JSON the CLI's `--out` writes (one serializer for both). */
export function downloadResultJson(result: LinScopeResult): void {
  downloadBlob(
    new Blob([serializeResult(result)], { type: 'application/json' }),
    exportFileName(result.model.id, 'result', 'json'),
  );
}

/**
 * Saves the hidden states of the worker's last analysis as safetensors, named after `modelId`.
 * The states live only in the worker that ran it: throws when it has none.
 */
export async function downloadHiddenStates(client: WorkerClient, modelId: string): Promise<void> {
  const file = await client.exportHidden();
  downloadBlob(
    new Blob([file as BlobPart], { type: 'application/octet-stream' }),
    exportFileName(modelId, 'hidden-states', 'safetensors'),
  );
}
