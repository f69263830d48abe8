import { layersCsv } from '../../share/csv';
import type { ExportAction } from './ChartFrame';
import type { ChartResult } from './chartResult';
import { csvExport, domFigure, EXPORT_STEMS, imageExports } from './exportActions';

/**
 * The linearity chart's export buttons: PNG and SVG of its `[data-export]` SVGs under `root`
 * (plot and legend, placed as on screen), and the per-pair numbers as CSV.
 */
export function linearityExports(
  result: ChartResult,
  subtitle: string,
  root: () => HTMLElement | null,
): ExportAction[] {
  const modelId = result.model.id;
  return [
    ...imageExports('the linearity chart', modelId, EXPORT_STEMS.linearityFigure, () =>
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
