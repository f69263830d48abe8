import { useEffect, useState } from 'react';
import type { WorkerClient } from '../worker/client';
import type { ModelRequest, TokenCount } from '../worker/protocol';
import { inputTexts, type PromptInput } from './promptInput';

export interface TokenCountOptions {
  /** The runtime is up (the backend probe succeeded). */
  readonly ready: boolean;
  readonly client: WorkerClient | null;
  /** The chosen model's id, undefined while an unlisted one is being classified. */
  readonly modelId: string | undefined;
  readonly input: PromptInput;
  /** Whether the model may be fetched now: a Hub model is not downloaded just to count tokens. */
  readonly downloadAllowed: (id: string) => boolean;
  readonly request: (id: string) => ModelRequest;
}

/** Wait after the last keystroke before asking the worker, so typing does not queue counts. */
const DEBOUNCE_MS = 300;

/**
 * The input's token count and the model's context, before any run; null while unknown (no
 * runtime yet, a Hub model not yet allowed, or the count failed).
 */
export function useTokenCount(options: TokenCountOptions): TokenCount | null {
  const { ready, client, modelId, input, downloadAllowed, request } = options;
  const [count, setCount] = useState<TokenCount | null>(null);
  useEffect(() => {
    if (!ready || !modelId || !downloadAllowed(modelId)) {
      setCount(null);
      return;
    }
    let live = true;
    const texts = (() => {
      try {
        return inputTexts(input);
      } catch {
        return [];
      }
    })();
    // Asked twice at most: a count cut off by a worker that failed and was replaced (the client
    // waits for the new one) is asked again rather than left blank until the text changes.
    const ask = (attempt: number) => {
      client
        ?.countTokens(request(modelId), texts)
        .then((c) => live && setCount(c))
        .catch(() => {
          if (!live) return;
          if (attempt === 0) ask(1);
          else setCount(null);
        });
    };
    const timer = setTimeout(() => ask(0), DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [ready, client, modelId, input, downloadAllowed, request]);
  return count;
}
