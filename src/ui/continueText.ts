import { LinScopeError } from '../errors';
import type { WorkerClient } from '../worker/client';
import type { ModelChoice } from './useModelChoice';

/** How much of the prompt the model continues from: enough for a sanity check, quick on WASM. */
const PROMPT_CHARS = 2000;
const NEW_TOKENS = 40;

/**
 * A greedy continuation of the prompt (of BOS alone `fromScratch`) by model `modelId`; throws
 * with a message when the runtime is not up or a Hub model is not yet allowed.
 */
export async function continueText(
  client: WorkerClient | null,
  choice: Pick<ModelChoice, 'request' | 'downloadAllowed'>,
  modelId: string,
  prompt: string,
  fromScratch: boolean,
): Promise<string> {
  if (!client) throw new LinScopeError('INTERNAL', 'The runtime is not ready yet.');
  const request = choice.request(modelId);
  if (!choice.downloadAllowed(modelId)) {
    throw new LinScopeError('BAD_INPUT', 'Allow the download of this model first: press Analyze.');
  }
  const text = fromScratch ? '' : prompt.slice(0, PROMPT_CHARS);
  return (await client.generate(request, text, NEW_TOKENS)).text;
}
