/** Names of the files LinScope writes (exports, downloads). */

/** `linscope-<model>-<chart>.<ext>`, with the model id reduced to filename-safe characters. */
export function exportFileName(modelId: string, chart: string, ext: string): string {
  const model =
    modelId
      .split('/')
      .filter(Boolean)
      .slice(-2)
      .join('-')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(0, 60) || 'model';
  return `linscope-${model}-${chart}.${ext}`;
}
