import type { LayerPairRecord, StateRecord } from '../../analysis';
import type { LinScopeResult, ResultPerToken, ResultToken } from '../../job/result';

/**
 * What the charts read: a finished `LinScopeResult`, or one still arriving. `model.layers` says
 * how many pairs there will be; a pair or state not yet computed is `undefined` (or missing from
 * the end of the array) and is drawn as pending. `perToken`: `undefined` while pending, `null`
 * when the run had no reference (then there are no per-token values at all).
 */
export interface ChartResult {
  readonly model: Pick<LinScopeResult['model'], 'id' | 'layers' | 'hidden'> &
    Partial<Pick<LinScopeResult['model'], 'dtype'>>;
  readonly tokens: readonly ResultToken[];
  readonly layers: readonly (LayerPairRecord | null | undefined)[];
  readonly states?: readonly (StateRecord | null | undefined)[];
  readonly perToken?: ResultPerToken | null;
  /** Tokens left out of fits and statistics (BOS, massive-norm tokens); the heatmap's tooltip says so. */
  readonly excludedTokens?: readonly number[];
  /** Present when the result was reduced from stats files: sums over tokens, nothing per token. */
  readonly statistics?: LinScopeResult['statistics'];
}

/** Number of layer pairs L: from the model, or from what has arrived if that is more. */
export function pairCount(result: ChartResult): number {
  return Math.max(result.model.layers, result.layers.length, result.perToken?.nonlinearity.length ?? 0);
}

/** The pair's record, or null while it is pending. */
export function layerAt(result: ChartResult, l: number): LayerPairRecord | null {
  return result.layers[l] ?? null;
}

/** "2→3": pair (l, l+1) the way the charts label it. */
export function pairLabel(l: number): string {
  return `${l}→${l + 1}`;
}
