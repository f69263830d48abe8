/**
 * The synchronised heatmaps' shared cursor: a cell hovered in one result's heatmap is shown in the
 * others at the same normalised depth (their nearest pair) and the same token position, which is
 * the same token only when the texts agree token for token. Pure.
 */
import { nearestPair, pairDepth } from '../../analysis/depthAlignment';
import type { TextAgreement } from './compareEntries';

/** The hovered cell: in which entry, which pair and token, and the pair's normalised depth. */
export interface SyncedHover {
  readonly entryKey: number;
  readonly layer: number;
  readonly token: number;
  readonly depth: number;
}

export function syncedHover(entryKey: number, layer: number, token: number, pairs: number): SyncedHover {
  return { entryKey, layer, token, depth: pairDepth(layer, pairs) };
}

/** The cell to highlight in a heatmap of `pairs` x `tokens`; token null where it cannot be matched. */
export function highlightedCell(
  hover: SyncedHover,
  entryKey: number,
  pairs: number,
  tokens: number,
  agreement: TextAgreement,
): { layer: number; token: number | null } {
  if (hover.entryKey === entryKey) return { layer: hover.layer, token: hover.token };
  const layer = nearestPair(hover.depth, pairs);
  if (agreement.kind === 'none' || hover.token >= tokens) return { layer, token: null };
  return { layer, token: hover.token };
}
