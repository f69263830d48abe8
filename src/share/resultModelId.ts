/**
 * The app's id for the model a result names. A result made by the CLI names a folder path, one made
 * from imported files names whatever the files said; the page knows such a model only as one
 * opened from disk, `local/<folder name>`.
 */
import { isHubId } from '../model/catalog';

/** `local/<the last part of the id>`, in the characters a local id allows; `fallback` for an empty one. */
export function localModelId(resultModelId: string, fallback = 'model'): string {
  const name = resultModelId
    .split(/[\\/]/)
    .filter(Boolean)
    .pop()
    ?.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `local/${name || fallback}`;
}

/** A Hub id as it is; a folder path as a model opened from disk. */
export function appModelId(resultModelId: string): string {
  return isHubId(resultModelId) ? resultModelId : localModelId(resultModelId);
}
