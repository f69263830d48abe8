export type { ExportAction, HeadingLevel } from './ChartFrame';
export { CompanionCharts, type CompanionChartsProps } from './CompanionCharts';
export type { ChartResult } from './chartResult';
export { FlashList, type FlashListProps } from './FlashList';
export type { HeatmapCell } from './heatmapCursor';
export { LinearityChart, type LinearityChartProps } from './LinearityChart';
export { NonlinearityHeatmap, type NonlinearityHeatmapProps } from './NonlinearityHeatmap';
export { TokenTextView, type TokenTextViewProps } from './TokenTextView';
export { useElementWidth } from './useElementWidth';
