import { csvBlob } from '../../share/csv';
import { exportFileName } from '../../share/fileNames';
import { downloadBlob } from '../download';
import type { ExportAction } from './ChartFrame';
import { type ExportFigure, figurePng, figureSvg, piecesFromDom, themeColors } from './chartExport';

/**
 * The stem of every file a chart's export writes (`linscope-<model>-<stem>.<ext>`): one per export,
 * so two buttons never write the same name (the linearity chart and the companion charts both
 * offer the per-pair table; the heatmap and the text view both offer the per-token table).
 */
export const EXPORT_STEMS = {
  linearityFigure: 'linearity',
  linearityTable: 'linearity-pairs',
  companionsFigure: 'companions',
  companionsPairs: 'companions-pairs',
  companionsStates: 'companions-states',
  heatmapFigure: 'heatmap',
  heatmapTable: 'heatmap-per-token',
  textViewTable: 'text-per-token',
  flashesTable: 'flashes',
  sweepFigure: 'linearize-sweep',
  sweepTable: 'linearize-sweep-table',
  lossChangeTable: 'linearize-loss-change',
} as const;

export type ExportStem = (typeof EXPORT_STEMS)[keyof typeof EXPORT_STEMS];

/**
 * PNG and SVG buttons for a chart whose figure is built on demand (null: nothing drawn yet), with
 * `caption` (what the numbers come from, `figureCaption`) under it.
 */
export function imageExports(
  what: string,
  modelId: string,
  stem: ExportStem,
  caption: string,
  figure: () => ExportFigure | null,
): ExportAction[] {
  const need = (): ExportFigure => {
    const f = figure();
    if (!f) throw new Error('nothing is drawn yet');
    return { ...f, caption };
  };
  return [
    {
      id: 'png',
      label: 'PNG',
      description: `Download ${what} as PNG`,
      run: async () => downloadBlob(await figurePng(need()), exportFileName(modelId, stem, 'png')),
    },
    {
      id: 'svg',
      label: 'SVG',
      description: `Download ${what} as SVG`,
      run: () =>
        downloadBlob(
          new Blob([figureSvg(need())], { type: 'image/svg+xml;charset=utf-8' }),
          exportFileName(modelId, stem, 'svg'),
        ),
    },
  ];
}

export function csvExport(
  id: string,
  label: string,
  description: string,
  modelId: string,
  stem: ExportStem,
  text: () => string,
): ExportAction {
  return {
    id,
    label,
    description,
    run: () => downloadBlob(csvBlob(text()), exportFileName(modelId, stem, 'csv')),
  };
}

/** A figure from the `[data-export]` pieces under `root`, placed as on screen. */
export function domFigure(root: HTMLElement | null, title: string): ExportFigure | null {
  if (!root) return null;
  const { pieces, width, height } = piecesFromDom(root);
  return pieces.length ? { title, pieces, width, height, ...themeColors(root) } : null;
}
