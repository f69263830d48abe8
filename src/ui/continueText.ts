import { LinScopeError } from '../errors';
import type { WorkerClient } from '../worker/client';
import type { ModelChoice } from './useModelChoice';

/** How much of the prompt the model continues from: enough for a sanity check, quick on WASM. */
const PROMPT_CHARS = 2000;
const NEW_TOKENS = 40;

/** What the model was given and what it wrote, apart. */
export interface Continuation {
  /** The part of the prompt the model continued from ('' from scratch). */
  readonly prompt: string;
  /** What the model wrote after it. */
  readonly written: string;
}

/** Splits the decoded ids (prompt and new tokens) at the prompt; all of it is new when they part. */
export function splitContinuation(prompt: string, decoded: string): Continuation {
  return prompt.length > 0 && decoded.startsWith(prompt)
    ? { prompt, written: decoded.slice(prompt.length) }
    : { prompt: '', written: decoded };
}

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
): Promise<Continuation> {
  if (!client) throw new LinScopeError('INTERNAL', 'The runtime is not ready yet.');
  const request = choice.request(modelId);
  if (!choice.downloadAllowed(modelId)) {
    throw new LinScopeError('BAD_INPUT', 'Allow the download of this model first: press Analyze.');
  }
  const text = fromScratch ? '' : prompt.slice(0, PROMPT_CHARS);
  return splitContinuation(text, (await client.generate(request, text, NEW_TOKENS)).text);
}
