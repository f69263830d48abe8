/**
 * What the command line prints for LinScope's own errors: one line, in the command line's words.
 * Most messages read the same on the page and here; a damaged model file's says what to do, and the
 * page's advice (press Analyze, which downloads the file again) has no meaning here.
 */
import { join } from 'node:path';
import type { LinScopeError } from '../src/errors';
import { DamagedModelFile, damagedWeightsText } from '../src/model/loadFailure';

/**
 * The line for `error` (without the `linscope: ` prefix). `hubCache`: the folder transformers.js
 * keeps Hub downloads in (`env.cacheDir`), where a damaged download stays until it is deleted.
 */
export function commandLineMessage(error: LinScopeError, hubCache: string | null): string {
  if (error instanceof DamagedModelFile && error.weights !== null) {
    const { weights } = error;
    const advice = weights.fromHub
      ? `Delete the downloaded copy${hubCache ? ` (${join(hubCache, weights.id)})` : ' in transformers.js’s cache'} and run the command again to download it again.`
      : 'Copy or export the model’s files into its folder again, then run the command again.';
    return `${damagedWeightsText(weights)} ${advice}`;
  }
  return error.message.split('\n')[0];
}
