import type { ResultLinearize } from '../../job/result';
import type { ChartResult } from './chartResult';

/** Where the tokens the maps were fitted on came from, as the caption names it. */
function referenceText(result: ChartResult): string {
  const reference = result.perToken?.reference;
  if (reference) return `reference “${reference.name}” (${reference.tokens} tokens)`;
  if (result.statistics) return 'reduced from stats files';
  const heldOut = result.layers.find((r) => r?.heldOut)?.heldOut;
  if (heldOut?.source === 'reference') return `reference (${heldOut.nFit} tokens)`;
  return result.perToken === undefined ? 'reference pending' : 'no reference';
}

function modelParts(result: ChartResult): string[] {
  return [`model ${result.model.id}`, ...(result.model.dtype ? [`dtype ${result.model.dtype}`] : [])];
}

/**
 * The line under every exported figure, so that a figure taken out of the page still says what
 * its numbers come from: model id, weights' dtype, n tokens and d dimensions of the fits, and the
 * reference text the per-token maps were fitted on.
 */
export function figureCaption(result: ChartResult): string {
  const first = result.layers.find((r) => r !== null && r !== undefined) ?? null;
  return [
    ...modelParts(result),
    first ? `n = ${first.n} tokens` : null,
    `d = ${first?.d ?? result.model.hidden}`,
    referenceText(result),
    'LinScope',
  ]
    .filter((part): part is string => part !== null)
    .join(' · ');
}

/**
 * The caption of the block-replacement sweep: its numbers are next-token losses over `positions`
 * predictions with maps fitted on `maps`, not the linearity fits.
 */
export function sweepCaption(
  result: ChartResult,
  linearize: Pick<ResultLinearize, 'maps' | 'positions'>,
): string {
  const { maps } = linearize;
  return [
    ...modelParts(result),
    `n = ${linearize.positions} next-token predictions`,
    `d = ${result.model.hidden}`,
    `maps fitted on “${maps.name}” (${maps.tokens} tokens, ${maps.inSample ? 'in sample' : 'out of sample'})`,
    'LinScope',
  ].join(' · ');
}
