/**
 * A file dropped into the compare view: a result JSON (the CLI's `analyze --out`, `reduce --out`,
 * the page's `export-json`) or a `.linscope.json` file, of which only the result is used. Never
 * throws: anything unusable ends in a message that says what was wrong and what to do.
 */
import { type LinScopeResult, RESULT_SCHEMA } from '../job/result';
import { isRecord } from './isRecord';
import { LINSCOPE_FILE_SCHEMA, MAX_LINSCOPE_FILE_BYTES, parseResultValue } from './linscopeFile';

export type CompareFileParse =
  | { ok: true; result: LinScopeResult; notes: string[] }
  | { ok: false; message: string };

/** The result in a file's text, or why it cannot be compared (`name` is the file's, for the message). */
export function parseCompareFile(name: string, text: string): CompareFileParse {
  const fail = (why: string): CompareFileParse => ({ ok: false, message: `“${name}” ${why}` });
  if (text.length > MAX_LINSCOPE_FILE_BYTES)
    return fail('is larger than 64 MB; LinScope compares files up to 64 MB.');
  if (text.trim().length === 0) return fail('is empty. Export the result again and add the new file.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(
      'is not valid JSON: it may have been cut short while it was copied or saved. Export the result again (Export result JSON, or linscope analyze --out) and add the new file.',
    );
  }
  let resultValue: unknown;
  if (isRecord(value) && value.schema === LINSCOPE_FILE_SCHEMA) resultValue = value.result;
  else if (isRecord(value) && value.schema === RESULT_SCHEMA) resultValue = value;
  else if (isRecord(value) && typeof value.schema === 'string' && value.schema.startsWith('linscope.'))
    return fail(
      `has schema ${value.schema.slice(0, 40)}, which this LinScope cannot compare (made by a newer LinScope?).`,
    );
  else
    return fail(
      'is JSON but not a LinScope result: the compare view takes result JSON (linscope.result/v1, from Export result JSON or linscope analyze/reduce --out) and .linscope.json files.',
    );
  const parsed = parseResultValue(resultValue);
  if (!parsed.ok) return fail(`cannot be compared. ${parsed.message}`);
  return parsed;
}
