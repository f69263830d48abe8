import { isHubId } from '../model/catalog';

/** `?model=<id>&prompt=<text>&run=1` (contract.md): start an analysis on load. */
export interface StartParams {
  model: string | null;
  prompt: string | null;
  run: boolean;
  /** Why `?model=` was not taken (not a model id: a path, a URL, markup), or null. */
  refusedModel: string | null;
}

/** Longest id quoted back in a refusal. */
const MAX_QUOTED_CHARS = 80;

/** Longest prompt accepted from a URL (a URL is no place for a corpus). */
const MAX_PROMPT_CHARS = 100_000;

export function startParamsFromSearch(search: string): StartParams {
  const params = new URLSearchParams(search);
  const prompt = params.get('prompt');
  const asked = params.get('model')?.trim() || null;
  // Only an id (owner/name) is ever looked up: never a path (`../..`), a URL or anything else.
  const model = asked !== null && isHubId(asked) ? asked : null;
  const run = params.get('run') === '1' || params.get('run') === 'true';
  return {
    model,
    prompt: prompt === null ? null : prompt.slice(0, MAX_PROMPT_CHARS),
    // A start for a model that was refused would analyse another one: it waits for the user.
    run: run && (asked === null || model !== null),
    refusedModel:
      asked !== null && model === null
        ? `The link asks for model “${asked.slice(0, MAX_QUOTED_CHARS)}”, which is not a model id: ids look like owner/name (for example Xenova/gpt2). The bundled model is chosen instead.`
        : null,
  };
}
