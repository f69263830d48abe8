import type { LinearitySeriesKey } from './linearityLayout';

/** The class that colours and dashes a series (marks.css `.lsc-s1`...). */
export const SERIES_CLASS: Record<LinearitySeriesKey, string> = {
  linearity: 'lsc-s1',
  linearityNoResidual: 'lsc-s2',
  heldOut: 'lsc-s3',
};

interface LinearityMarkerProps {
  readonly series: LinearitySeriesKey;
  readonly x: number;
  readonly y: number;
  /** Half the marker's width (default 4). */
  readonly size?: number;
}

/** Marker per series: shape as well as colour tells them apart (colour-blind readers, print). */
export function LinearityMarker(props: LinearityMarkerProps) {
  const s = props.size ?? 4;
  if (props.series === 'linearity') return <circle cx={props.x} cy={props.y} r={s} />;
  if (props.series === 'linearityNoResidual')
    return <rect x={props.x - s} y={props.y - s} width={2 * s} height={2 * s} />;
  const d = s * 1.35;
  return (
    <path
      d={`M${props.x},${props.y - d}L${props.x + d},${props.y}L${props.x},${props.y + d}L${props.x - d},${props.y}Z`}
    />
  );
}
