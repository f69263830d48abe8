import { useEffect, useMemo, useRef, useState } from 'react';
import type { JobProgress } from '../job/progress';
import type { WorkerClient } from '../worker/client';
import type { ReferenceAheadRequest } from '../worker/protocol';
import { type ChoiceStorage, rememberChoice, rememberedChoice } from './rememberedChoice';

/**
 * Where fitting the next analysis's reference ahead stands: not started (or not possible), under way
 * (with the worker's last progress), done, or stopped by the user.
 */
export type ReferenceAheadState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'fitting'; readonly progress: JobProgress | null }
  | { readonly kind: 'fitted' }
  | { readonly kind: 'stopped' };

export interface ReferenceAheadOptions {
  /** The model is loaded ahead and nothing runs: a fit may start (one under way is not stopped by a run). */
  readonly enabled: boolean;
  readonly client: WorkerClient | null;
  /** What the next Analyze would fit; null where there is nothing to fit ahead. */
  readonly request: ReferenceAheadRequest | null;
}

const IDLE: ReferenceAheadState = { kind: 'idle' };

/**
 * Wait after the model is ready (and after each change) before fitting ahead. An Analyze pressed
 * while the fit runs waits for the reference window under way (up to a few seconds for a GPT-2-sized
 * model's 1,024-token windows on two cores; docs/performance.md): someone who pastes a text and
 * presses Analyze as soon as the model is loaded should not.
 */
export const REFERENCE_AHEAD_DELAY_MS = 3000;

/** `?referenceAhead=0`: the page never fits a reference ahead (studies of first runs, tests). */
export function referenceAheadFromSearch(search: string): boolean {
  const value = new URLSearchParams(search).get('referenceAhead');
  return value !== '0' && value !== 'false';
}

/** Where the page remembers that the user turned fitting ahead off (this origin's localStorage). */
export const REFERENCE_AHEAD_STORAGE_KEY = 'linscope.referenceAhead';

/** Whether the user leaves fitting ahead on (the default), as remembered. */
export function storedReferenceAhead(storage: ChoiceStorage | null): boolean {
  return rememberedChoice(storage, REFERENCE_AHEAD_STORAGE_KEY) !== 'off';
}

/** Remember the user's choice for the next visit. */
export function rememberReferenceAhead(on: boolean, storage: ChoiceStorage | null): void {
  rememberChoice(storage, REFERENCE_AHEAD_STORAGE_KEY, on ? 'on' : 'off');
}

/**
 * Fits the reference the next Analyze would use, starting `REFERENCE_AHEAD_DELAY_MS` after the model
 * is loaded ahead (and after each change), in the worker's background (`prepare-reference`), so that a
 * first run of a model needs no reference work. Stopped
 * when the model, settings or reference change (and started again for the new ones), or by `stop`;
 * an Analyze pressed meanwhile does not stop it: the worker lets the run's first view go first,
 * then the run waits for this fit.
 */
export function useReferenceAhead({ enabled, client, request }: ReferenceAheadOptions): {
  state: ReferenceAheadState;
  stop: () => void;
} {
  // A user corpus makes this string long, but it is built only when the request changes.
  const key = useMemo(() => (request ? JSON.stringify(request) : ''), [request]);
  const [state, setState] = useState<{ key: string; value: ReferenceAheadState }>({ key: '', value: IDLE });
  /** The fit asked for `key` (running, done or stopped): asked once per key. */
  const asked = useRef<{ key: string; cancel: () => void } | null>(null);

  useEffect(() => {
    if (!enabled || !client || !request || asked.current?.key === key) return;
    const timer = setTimeout(() => {
      const job = client.prepareReference(request, (progress) =>
        setState((s) =>
          s.key === key && s.value.kind === 'fitting' ? { key, value: { kind: 'fitting', progress } } : s,
        ),
      );
      asked.current = { key, cancel: job.cancel };
      setState({ key, value: { kind: 'fitting', progress: null } });
      const settle = (value: ReferenceAheadState) =>
        setState((s) => (s.key === key && s.value.kind === 'fitting' ? { key, value } : s));
      job.done.then(
        (ready) => settle(ready ? { kind: 'fitted' } : IDLE),
        () => settle(IDLE),
      );
    }, REFERENCE_AHEAD_DELAY_MS);
    return () => clearTimeout(timer);
  }, [enabled, client, request, key]);

  // Another model, settings or reference: the fit for the old ones is not needed any more.
  useEffect(() => {
    if (!client || !key) return;
    return () => {
      if (asked.current?.key !== key) return;
      asked.current.cancel();
      asked.current = null;
    };
  }, [key, client]);

  const stop = () => {
    if (asked.current?.key !== key) return;
    asked.current.cancel();
    setState({ key, value: { kind: 'stopped' } });
  };
  return { state: state.key === key ? state.value : IDLE, stop };
}

/** The step of a fit made ahead, in words ("window 3 of 16"), or '' before the first. */
function referenceAheadStep(progress: JobProgress | null): string {
  switch (progress?.stage) {
    case 'forward':
      return progress.of === 'reference'
        ? `window ${progress.window} of ${progress.windows}`
        : progress.of === 'reference-check'
          ? `checking it on held-out text, window ${progress.window} of ${progress.windows}`
          : '';
    case 'fit':
      return `layer pair ${progress.done} of ${progress.total}`;
    default:
      return '';
  }
}

/** What the page says of the fit made ahead, under the model picker; null when there is nothing to say. */
export function referenceAheadText(state: ReferenceAheadState): string | null {
  switch (state.kind) {
    case 'fitting': {
      const step = referenceAheadStep(state.progress);
      return `Fitting the reference in the background, so that Analyze shows every result at once${step ? `: ${step}` : ''}…`;
    }
    case 'fitted':
      return 'Reference fitted: Analyze needs no reference work.';
    case 'stopped':
      return 'Reference fit stopped: Analyze will fit it.';
    default:
      return null;
  }
}
