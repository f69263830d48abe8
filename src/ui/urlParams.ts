/** `?model=<id>&prompt=<text>&run=1` (contract.md): start an analysis on load. */
export interface StartParams {
  model: string | null;
  prompt: string | null;
  run: boolean;
}

/** Longest prompt accepted from a URL (a URL is no place for a corpus). */
const MAX_PROMPT_CHARS = 100_000;

export function startParamsFromSearch(search: string): StartParams {
  const params = new URLSearchParams(search);
  const prompt = params.get('prompt');
  return {
    model: params.get('model')?.trim() || null,
    prompt: prompt === null ? null : prompt.slice(0, MAX_PROMPT_CHARS),
    run: params.get('run') === '1' || params.get('run') === 'true',
  };
}
