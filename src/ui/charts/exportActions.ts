import { csvBlob } from '../../share/csv';
import { exportFileName } from '../../share/fileNames';
import { downloadBlob } from '../download';
import type { ExportAction } from './ChartFrame';
import { type ExportFigure, figurePng, figureSvg, piecesFromDom, themeColors } from './chartExport';

/** PNG and SVG buttons for a chart whose figure is built on demand (null: nothing drawn yet). */
export function imageExports(
  what: string,
  modelId: string,
  stem: string,
  figure: () => ExportFigure | null,
): ExportAction[] {
  const need = () => {
    const f = figure();
    if (!f) throw new Error('nothing is drawn yet');
    return f;
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
  stem: string,
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
