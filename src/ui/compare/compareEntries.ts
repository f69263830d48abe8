/**
 * The results in the compare view: their labels, why one lacks per-token values, whether two
 * texts agree token for token, whether they make a series, and the list's edits (add, remove,
 * reorder, make baseline, rename). The first entry is the baseline the differences are taken
 * against. Pure; `useCompare` holds the state.
 */
import type { LinScopeResult } from '../../job/result';
import { MAX_COMPARE_ENTRIES } from '../../share/comparePermalink';

export interface CompareEntry {
  /** Stable within the page: React's key and the test hooks' `data-entry-key`. */
  readonly key: number;
  readonly label: string;
  readonly result: LinScopeResult;
  /** Why the result has no per-token values, or null when it has them. */
  readonly perTokenAbsent: string | null;
}

/** Where a result came from, for the reason its per-token values are missing. */
export interface EntryOrigin {
  /** The compare link had to leave its per-token values (or its tokens) out. */
  readonly leftOutOfLink?: boolean;
}

/** Why `result` has no heatmap to compare, or null when it has one. */
export function perTokenAbsence(result: LinScopeResult, origin: EntryOrigin = {}): string | null {
  if (result.perToken) return null;
  if (origin.leftOutOfLink)
    return 'Its per-token values were left out of the compare link to fit the URL budget.';
  if (result.statistics)
    return `A result reduced from layer statistics (linscope reduce, ${result.statistics.tokens} tokens) has per-layer scores only: sums keep no per-token values.`;
  if (result.tokens.length === 0) return 'This result has no tokens.';
  return 'This run had no reference corpus, so it has no per-token values.';
}

/** The text a result was run on, from its tokens (empty for a reduced result). */
export function resultText(result: LinScopeResult): string {
  return result.tokens.map((t) => t.text).join('');
}

const PROMPT_START_CHARS = 28;

/** "tiny-gpt2 · fp32 · “In the beginning God…”": model, weights and the start of the text. */
export function defaultLabel(result: LinScopeResult): string {
  const model = result.model.id.split(/[\\/]/).filter(Boolean).pop() ?? result.model.id;
  const text = resultText(result).replace(/\s+/g, ' ').trim();
  const what = result.statistics
    ? `reduced, ${result.statistics.tokens.toLocaleString('en')} tokens`
    : text.length > PROMPT_START_CHARS
      ? `“${text.slice(0, PROMPT_START_CHARS).trimEnd()}…”`
      : `“${text}”`;
  return `${model} · ${result.model.dtype} · ${what}`;
}

/** How two results' texts line up, for the synchronised heatmaps. */
export type TextAgreement =
  | { readonly kind: 'same-tokens' }
  | { readonly kind: 'by-position'; readonly reason: string }
  | { readonly kind: 'none'; readonly reason: string };

/** Whether `other`'s tokens are the baseline's (same ids, same order). */
export function textAgreement(baseline: LinScopeResult, other: LinScopeResult): TextAgreement {
  if (baseline.tokens.length === 0 || other.tokens.length === 0)
    return { kind: 'none', reason: 'One of the two results has no tokens, so no token can be matched.' };
  const a = baseline.tokens;
  const b = other.tokens;
  if (a.length === b.length && a.every((t, i) => t.id === b[i].id)) return { kind: 'same-tokens' };
  const firstDifferent = a.findIndex((t, i) => i >= b.length || t.id !== b[i].id);
  const where =
    firstDifferent >= 0
      ? `they part at token ${firstDifferent}`
      : `the baseline's ${a.length} tokens are the first of its ${b.length}`;
  const tokenizers = baseline.model.vocab !== other.model.vocab ? ' (different tokenizers)' : '';
  return {
    kind: 'by-position',
    reason: `The texts or tokenizers differ${tokenizers}: ${a.length} vs ${b.length} tokens, ${where}. Hovering matches tokens by position only, which is not the same word in both; the per-layer comparison is unaffected.`,
  };
}

export type SeriesCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** A series (training checkpoints) needs one architecture: the same number of layers and hidden size. */
export function seriesCheck(entries: readonly CompareEntry[]): SeriesCheck {
  if (entries.length < 2) return { ok: false, message: 'A series needs at least two results.' };
  const first = entries[0].result.model;
  const odd = entries.find(
    (e) => e.result.model.layers !== first.layers || e.result.model.hidden !== first.hidden,
  );
  if (!odd) return { ok: true };
  const m = odd.result.model;
  return {
    ok: false,
    message: `No series: “${odd.label}” has ${m.layers} layers of width ${m.hidden}, the baseline “${entries[0].label}” ${first.layers} of width ${first.hidden}. A series is checkpoints of one architecture; remove the other results (they stay compared above) or add checkpoints of one model.`,
  };
}

export interface CompareState {
  readonly entries: readonly CompareEntry[];
  readonly nextKey: number;
}

export const EMPTY_COMPARE: CompareState = { entries: [], nextKey: 1 };

export type CompareAction =
  | {
      type: 'add';
      items: readonly { label: string; result: LinScopeResult; perTokenAbsent: string | null }[];
    }
  | {
      type: 'replace';
      items: readonly { label: string; result: LinScopeResult; perTokenAbsent: string | null }[];
    }
  | { type: 'remove'; key: number }
  | { type: 'move'; key: number; by: -1 | 1 }
  | { type: 'baseline'; key: number }
  | { type: 'rename'; key: number; label: string };

/** How many of `count` new results fit beside the ones in the view. */
export function roomFor(state: CompareState, count: number): number {
  return Math.max(0, Math.min(count, MAX_COMPARE_ENTRIES - state.entries.length));
}

export function compareReducer(state: CompareState, action: CompareAction): CompareState {
  switch (action.type) {
    case 'add':
    case 'replace': {
      const kept = action.type === 'add' ? state.entries : [];
      const room = MAX_COMPARE_ENTRIES - kept.length;
      const added = action.items
        .slice(0, Math.max(0, room))
        .map((item, i) => ({ ...item, key: state.nextKey + i }));
      return { entries: [...kept, ...added], nextKey: state.nextKey + added.length };
    }
    case 'remove':
      return { ...state, entries: state.entries.filter((e) => e.key !== action.key) };
    case 'move': {
      const i = state.entries.findIndex((e) => e.key === action.key);
      const j = i + action.by;
      if (i < 0 || j < 0 || j >= state.entries.length) return state;
      const entries = [...state.entries];
      [entries[i], entries[j]] = [entries[j], entries[i]];
      return { ...state, entries };
    }
    case 'baseline': {
      const entry = state.entries.find((e) => e.key === action.key);
      if (!entry) return state;
      return { ...state, entries: [entry, ...state.entries.filter((e) => e !== entry)] };
    }
    case 'rename':
      return {
        ...state,
        entries: state.entries.map((e) =>
          e.key === action.key ? { ...e, label: action.label.slice(0, 200) } : e,
        ),
      };
  }
}
