import { layersCsv } from '../../share/csv';
import type { ExportAction } from './ChartFrame';
import type { ChartResult } from './chartResult';
import { csvExport, domFigure, EXPORT_STEMS, imageExports } from './exportActions';
import { figureCaption } from './figureCaption';

/**
 * The linearity chart's export buttons: PNG and SVG of its `[data-export]` SVGs under `root`
 * (plot with its axis titles, and legend, placed as on screen; the focused pair and picked blocks
 * left out) with the caption, and the per-pair numbers as CSV.
 */
export function linearityExports(
  result: ChartResult,
  subtitle: string,
  root: () => HTMLElement | null,
): ExportAction[] {
  const modelId = result.model.id;
  return [
    ...imageExports('the linearity chart', modelId, EXPORT_STEMS.linearityFigure, figureCaption(result), () =>
      domFigure(root(), `Layer-to-layer linearity · ${modelId} · ${subtitle}`),
    ),
    csvExport(
      'csv',
      'CSV',
      'Download the per-pair numbers as CSV',
      modelId,
      EXPORT_STEMS.linearityTable,
      () => layersCsv(result),
    ),
  ];
}
