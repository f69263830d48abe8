/**
 * What the experiment buttons send to the worker, or why they send nothing: the experiment runs
 * on the model, text, settings and reference of the result on screen, so it is refused when there
 * is no result or when the inputs changed since it was computed. Also how a new experiment joins
 * the one already on the result.
 */
import type { LinScopeResult, ResultLinearize } from '../job/result';
import { MAX_LINEARIZE_RUNS } from '../share/linearizeCheck';
import type { ShareState } from '../share/permalinkState';
import type { LinearizeRequest, ModelRequest } from '../worker/protocol';
import { requestReference } from './analyzeRequest';
import { errorMessage } from './errorMessage';
import { inputTexts } from './promptInput';
import type { ReferenceChoice } from './SettingsPanel';

export type ExperimentKind = 'linearize' | 'skip' | 'sweep';

export interface ExperimentOptions {
  readonly kind: ExperimentKind;
  /** Blocks picked on the chart or in the panel (ignored by the sweep). */
  readonly blocks: readonly number[];
  /** Maps fitted on the reference corpus (out of sample, the default) or on the text (in sample). */
  readonly maps: 'reference' | 'self';
  /** Greedy continuation tokens for the original and each run. */
  readonly continuation: number;
}

export const DEFAULT_CONTINUATION = 20;
/** Each continuation token is one more model run per variant: more would make the wait long. */
export const MAX_CONTINUATION = 64;

export const NO_RESULT_MESSAGE =
  'There is no result to experiment on yet: press Analyze first, then pick blocks on its linearity chart.';
export const NO_BLOCKS_MESSAGE =
  'Select blocks first: shift-click columns of the linearity chart, or tick them under “Blocks”.';

export type ExperimentOutcome =
  | { readonly ok: true; readonly request: LinearizeRequest }
  | { readonly ok: false; readonly message: string };

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The settings' values in a fixed key order, so that two equal settings compare equal. */
function sortedSettings(settings: ShareState['settings']): [string, unknown][] {
  return Object.entries(settings).sort(([a], [b]) => a.localeCompare(b));
}

/** What differs between the inputs a result was computed for and the page's inputs now, in words. */
export function changedInputs(shown: ShareState, now: ShareState): string[] {
  const changed: string[] = [];
  if (shown.model.id !== now.model.id || shown.model.dtype !== now.model.dtype) changed.push('model');
  if (shown.input.text !== now.input.text || shown.input.corpus !== now.input.corpus) changed.push('text');
  if (!sameJson(sortedSettings(shown.settings), sortedSettings(now.settings))) changed.push('settings');
  if (!sameJson(shown.reference, now.reference)) changed.push('reference corpus');
  return changed;
}

/** `a`, `a and b`, `a, b and c`. */
export function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

export interface ExperimentRequestArgs {
  /** The analysis on screen: the inputs it was computed for, and its result. */
  readonly shown: { readonly state: ShareState; readonly result: LinScopeResult } | null;
  /** The page's inputs now. */
  readonly now: ShareState;
  /** The reference corpus chosen now (a user corpus carries its texts only here). */
  readonly reference: ReferenceChoice;
  readonly model: ModelRequest;
  readonly options: ExperimentOptions;
}

export function experimentRequest(args: ExperimentRequestArgs): ExperimentOutcome {
  const { shown, options } = args;
  if (!shown) return { ok: false, message: NO_RESULT_MESSAGE };
  const changed = changedInputs(shown.state, args.now);
  if (changed.length > 0)
    return {
      ok: false,
      message: `The ${joinWords(changed)} changed since the result on screen was computed, and the experiment runs on that result’s. Press Analyze to compute the result again, then run the experiment.`,
    };
  const L = shown.result.model.layers;
  const blocks = [...new Set(options.blocks)].filter((b) => b >= 0 && b < L).sort((a, b) => a - b);
  if (options.kind !== 'sweep' && blocks.length === 0) return { ok: false, message: NO_BLOCKS_MESSAGE };
  let texts: string[];
  try {
    texts = inputTexts({ ...shown.state.input, fileName: null });
  } catch (error) {
    return { ok: false, message: errorMessage(error) };
  }
  const continuation = Math.max(0, Math.min(MAX_CONTINUATION, Math.round(options.continuation) || 0));
  return {
    ok: true,
    request: {
      model: args.model,
      texts,
      settings: shown.state.settings,
      // A result without per-token maps (reference "none") still gets out-of-sample maps: LinScope's corpus.
      reference: requestReference(args.reference) ?? 'bundled',
      maps: options.maps,
      runs:
        options.kind === 'sweep'
          ? []
          : [options.kind === 'linearize' ? { linear: blocks, skip: [] } : { linear: [], skip: blocks }],
      sweep: options.kind === 'sweep',
      continuation,
    },
  };
}

const runKey = (r: { linear: readonly number[]; skip: readonly number[] }) =>
  `${r.linear.join(',')}|${r.skip.join(',')}`;

/**
 * The experiment on the result after `next` finished: with the same maps, `next` joins what was
 * there (its runs added, a run of the same blocks replaced, its sweep replacing the old); with
 * other maps the numbers are not comparable, so `next` replaces it.
 */
export function mergeLinearize(
  previous: ResultLinearize | undefined,
  next: ResultLinearize,
): ResultLinearize {
  const sameMaps =
    previous &&
    previous.maps.source === next.maps.source &&
    previous.maps.name === next.maps.name &&
    previous.maps.tokens === next.maps.tokens &&
    previous.positions === next.positions;
  if (!previous || !sameMaps) return next;
  const replaced = new Set(next.runs.map(runKey));
  return {
    ...next,
    original: {
      ...next.original,
      continuation: next.original.continuation ?? previous.original.continuation,
    },
    runs: [...previous.runs.filter((r) => !replaced.has(runKey(r))), ...next.runs].slice(-MAX_LINEARIZE_RUNS),
    sweep: next.sweep ?? previous.sweep,
  };
}
