/**
 * The result JSON as text: one serializer behind the CLI's `--out` and the page's `export-json`,
 * stamped with its schema (`linscope.result/v1`) like a file format.
 */
import type { LinScopeResult } from '../job/result';

/**
 * The result as text: indented for reading, with arrays of numbers kept on one line each (a
 * heatmap row of 2,000 tokens would otherwise take 2,000 lines).
 */
export function serializeResult(result: LinScopeResult): string {
  const text = JSON.stringify(result, null, 1).replace(
    /\[(?:\s*(?:-?[\d.eE+-]+|null),)*\s*(?:-?[\d.eE+-]+|null)\s*\]/g,
    (m) => m.replace(/\s+/g, ''),
  );
  return `${text}\n`;
}
