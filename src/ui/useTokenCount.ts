import { useEffect, useMemo, useRef, useState } from 'react';
import type { WorkerClient } from '../worker/client';
import type { ModelRequest, TokenCount } from '../worker/protocol';
import { inputTexts, type PromptInput } from './promptInput';
import {
  type CountKey,
  type CountOutcome,
  countView,
  LatestOnly,
  sameCountKey,
  type TokenCountView,
} from './tokenCountState';

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

/** The texts the worker counts for `key`: none where the input cannot be split (the run says why). */
function keyTexts(key: CountKey): string[] {
  try {
    return inputTexts({ text: key.text, corpus: key.corpus, fileName: null });
  } catch {
    return [];
  }
}

/**
 * The token count line for the input: its count and the model's context once the worker has
 * counted this very text, "counting" until then, nothing where no count can be had (no runtime yet,
 * a Hub model not yet allowed, or the count failed). One count is asked at a time
 * (`tokenCountState.ts`): a 20 MB text takes the worker half a minute, and texts typed past
 * meanwhile are never counted.
 */
export function useTokenCount(options: TokenCountOptions): TokenCountView {
  const { ready, client, modelId, input, downloadAllowed, request } = options;
  const [outcome, setOutcome] = useState<CountOutcome | null>(null);
  const allowed = ready && client !== null && modelId !== undefined && downloadAllowed(modelId);
  const now = useMemo<CountKey | null>(
    () => (allowed && modelId !== undefined ? { modelId, text: input.text, corpus: input.corpus } : null),
    [allowed, modelId, input.text, input.corpus],
  );

  // What a count started later uses: the client and model request as they are then.
  const latest = useRef({ client, request, outcome });
  latest.current = { client, request, outcome };
  const runner = useRef<LatestOnly<CountKey> | null>(null);
  useEffect(() => {
    let live = true;
    const queue = new LatestOnly<CountKey>(async (key) => {
      const texts = keyTexts(key);
      let count: TokenCount | null = null;
      // Asked twice at most: a count cut off by a worker that failed and was replaced (the client
      // waits for the new one) is asked again rather than left blank until the text changes.
      for (let attempt = 0; attempt < 2 && count === null; attempt++) {
        const { client: worker, request: modelRequest } = latest.current;
        if (!worker || !live) return;
        try {
          count = await worker.countTokens(modelRequest(key.modelId), texts);
        } catch {
          // asked again, or left blank
        }
      }
      if (live) setOutcome({ key, count });
    });
    runner.current = queue;
    return () => {
      live = false;
      queue.stop();
    };
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: request and client are triggers: a model request that changed (a download allowed) or a new worker may count what could not be counted.
  useEffect(() => {
    if (now === null) return;
    // This text's count is there (a failed one is asked again once the model's request changes).
    const known = latest.current.outcome;
    if (known?.count && sameCountKey(known.key, now)) return;
    const timer = setTimeout(() => runner.current?.want(now), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [now, request, client]);

  return useMemo(() => countView(outcome, now), [outcome, now]);
}
