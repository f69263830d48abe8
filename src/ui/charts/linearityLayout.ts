import { scaleLinear, scalePoint } from 'd3';
import type { HeldOutRecord, LayerPairRecord } from '../../analysis';
import { type ChartResult, layerAt, pairCount, pairLabel } from './chartResult';
import { type LineSeriesLayout, lineSeries, type SeriesInput } from './lineSeries';
import { type ScoreAxisMode, scoreDomain, scoreTickFormat } from './scoreDomain';

export type LinearitySeriesKey = 'linearity' | 'linearityNoResidual' | 'heldOut';

export interface LinearitySeries extends LineSeriesLayout {
  readonly key: LinearitySeriesKey;
  readonly label: string;
}

/** One layer pair's column: its x, its hit area and what is special about it. */
export interface PairColumn {
  readonly layer: number;
  readonly x: number;
  /** Left edge and width of the column (hover / click target, focus highlight). */
  readonly left: number;
  readonly width: number;
  readonly label: string;
  /** Tick label drawn (labels are thinned when columns are narrow; first and last always). */
  readonly showLabel: boolean;
  readonly pending: boolean;
  readonly isFirst: boolean;
  readonly isLast: boolean;
  readonly record: LayerPairRecord | null;
}

/** The chance floor of one pair as a band from the axis bottom up to the floor. */
export interface FloorBand {
  readonly layer: number;
  readonly left: number;
  readonly width: number;
  readonly y: number;
  readonly height: number;
  readonly value: number;
}

export interface AxisTick {
  readonly value: number;
  readonly y: number;
  readonly label: string;
}

export interface LinearityLayout {
  readonly width: number;
  readonly height: number;
  readonly margin: {
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
    readonly left: number;
  };
  /** Bottom and top of the plot area in pixels. */
  readonly yBottom: number;
  readonly yTop: number;
  readonly axisMode: ScoreAxisMode;
  readonly yDomain: readonly [number, number];
  readonly y: (value: number) => number;
  readonly yTicks: AxisTick[];
  /** The pairs drawn (all of them, or the chosen range), in order. */
  readonly pairs: PairColumn[];
  /** The drawn column of pair `layer`; undefined when it is outside the range shown. */
  readonly pairAt: (layer: number) => PairColumn | undefined;
  /** Pairs in the result (drawn or not). */
  readonly pairTotal: number;
  readonly series: LinearitySeries[];
  /** Chance-floor bands of the pairs whose floor reaches into the axis, clipped to it. */
  readonly floor: FloorBand[];
  /** The highest chance floor below the axis' bottom (null: every floor is on the axis, or none). */
  readonly floorBelowAxis: number | null;
  readonly subtitle: string;
}

export interface LinearityLayoutOptions {
  readonly width: number;
  /** Default 300. */
  readonly height?: number;
  /** The focused pair: its tick label always shows, and labels too close to it give way. */
  readonly focusLayer?: number | null;
  /** The score axis: fitted to the scores (default) or the full 0–1 range. */
  readonly axis?: ScoreAxisMode;
  /** Series left out (the axis then fits the others). */
  readonly hiddenSeries?: ReadonlySet<LinearitySeriesKey>;
  /** The first and last pair drawn (inclusive; clamped to the result). Default: every pair. */
  readonly pairRange?: readonly [number, number];
}

/** `range` clamped to pairs 0..L-1, first <= last; every pair when absent. */
export function clampPairRange(range: readonly [number, number] | undefined, L: number): [number, number] {
  if (L === 0) return [0, -1];
  if (!range) return [0, L - 1];
  const first = Math.max(0, Math.min(L - 1, Math.floor(range[0])));
  const last = Math.max(first, Math.min(L - 1, Math.floor(range[1])));
  return [first, last];
}

/** The axis titles (drawn on screen and in exports). */
export const LINEARITY_X_TITLE = 'layer pair (l → l+1)';
export const LINEARITY_Y_TITLE = 'linearity score (1 = linear)';

/** Narrowest spacing between two x tick labels ("12→13" in 11px type). */
const MIN_LABEL_SPACING = 34;

/** Legend text of the held-out series: which tokens were fitted and which were scored. */
export function heldOutLabel(heldOut: HeldOutRecord | null | undefined): string {
  if (!heldOut) return 'held-out';
  return heldOut.source === 'reference'
    ? `held-out (maps fitted on ${heldOut.nFit} reference tokens)`
    : `held-out (fitted on the first ${heldOut.nFit} tokens, scored on the last ${heldOut.n})`;
}

export function linearityLayout(result: ChartResult, options: LinearityLayoutOptions): LinearityLayout {
  const total = pairCount(result);
  const [firstPair, lastPair] = clampPairRange(options.pairRange, total);
  // The pairs drawn: indices below are positions in this range; `from + i` is the pair's own index.
  const from = firstPair;
  const L = lastPair - firstPair + 1;
  const width = Math.max(160, options.width);
  const height = options.height ?? 300;
  // Left: tick labels and the rotated y title; bottom: pair labels, end marks and the x title.
  const margin = { top: 14, right: 12, bottom: 60, left: 60 };
  const records = Array.from({ length: L }, (_, i) => layerAt(result, from + i));

  const x = scalePoint<number>()
    .domain(records.map((_, i) => from + i))
    .range([margin.left, width - margin.right])
    .padding(0.5);
  const step = L > 0 ? (width - margin.left - margin.right) / L : 0;
  const xOf = (l: number) => x(l) ?? margin.left;
  /** x of position i in the range. */
  const xAt = (i: number) => xOf(from + i);
  const hidden = options.hiddenSeries ?? new Set<LinearitySeriesKey>();

  const inputs: Record<LinearitySeriesKey, SeriesInput[]> = {
    linearity: records.map((r) => (r ? { value: r.linearity, reason: r.reason } : { value: undefined })),
    linearityNoResidual: records.map((r) =>
      r ? { value: r.linearityNoResidual, reason: r.reason } : { value: undefined },
    ),
    heldOut: records.map((r) =>
      !r
        ? { value: undefined }
        : r.heldOut
          ? { value: r.heldOut.linearity, reason: r.heldOut.reason }
          : { value: null, reason: 'no held-out tokens in this run' },
    ),
  };

  // The axis hugs the plotted scores (or spans 0–1 on request); an out-of-sample R² below 0 (a
  // map worse than the mean) extends it down rather than being clipped.
  const scores = (Object.keys(inputs) as LinearitySeriesKey[])
    .filter((key) => !hidden.has(key))
    .flatMap((key) => inputs[key].flatMap(({ value }) => (typeof value === 'number' ? [value] : [])));
  const axisMode = options.axis ?? 'fitted';
  const tickCount = height < 220 ? 4 : 5;
  const yDomain = scoreDomain(scores, axisMode, tickCount);
  const yBottom = height - margin.bottom;
  const yTop = margin.top;
  const yScale = scaleLinear().domain(yDomain).range([yBottom, yTop]);
  const y = (value: number) => yScale(value);
  const tickLabel = scoreTickFormat(yDomain, tickCount);
  const yTicks = yScale.ticks(tickCount).map((value) => ({ value, y: y(value), label: tickLabel(value) }));

  const every = Math.max(1, Math.ceil(MIN_LABEL_SPACING / Math.max(step, 1)));
  const focusPair = options.focusLayer ?? null;
  const focus = focusPair === null ? null : focusPair - from;
  const labelShown = (i: number) => {
    if (i === focus) return true;
    if (focus !== null && focus >= 0 && focus < L && Math.abs(i - focus) < every) return false;
    // The last label always shows; the regular one just before it gives way when they would touch.
    return i === L - 1 || i === 0 || (i % every === 0 && L - 1 - i >= every);
  };
  const pairs: PairColumn[] = records.map((record, i) => ({
    layer: from + i,
    x: xAt(i),
    left: xAt(i) - step / 2,
    width: step,
    label: pairLabel(from + i),
    showLabel: labelShown(i),
    pending: record === null,
    isFirst: record?.isFirst ?? from + i === 0,
    isLast: record?.isLast ?? from + i === total - 1,
    record,
  }));
  const pairAt = (layer: number) => pairs[layer - from];
  /** A series' layout with its indices made the pairs' own. */
  const seriesOf = (list: SeriesInput[]) => {
    const s = lineSeries(list, xAt, y);
    return {
      ...s,
      points: s.points.map((p) => ({ ...p, index: p.index + from })),
      gaps: s.gaps.map((g) => ({ ...g, index: g.index + from })),
    };
  };

  const allSeries: LinearitySeries[] = [
    { key: 'linearity', label: 'with residual', ...seriesOf(inputs.linearity) },
    {
      key: 'linearityNoResidual',
      label: 'without residual (block update only)',
      ...seriesOf(inputs.linearityNoResidual),
    },
    {
      key: 'heldOut',
      label: heldOutLabel(records.find((r) => r?.heldOut)?.heldOut),
      ...seriesOf(inputs.heldOut),
    },
  ];
  const series = allSeries.filter((s) => !hidden.has(s.key));

  const floor: FloorBand[] = [];
  let floorBelowAxis: number | null = null;
  for (const [i, r] of records.entries()) {
    const l = from + i;
    if (r?.chanceFloor === null || r?.chanceFloor === undefined) continue;
    if (r.chanceFloor <= yDomain[0]) {
      floorBelowAxis = Math.max(floorBelowAxis ?? r.chanceFloor, r.chanceFloor);
      continue;
    }
    const top = y(Math.min(yDomain[1], r.chanceFloor));
    floor.push({
      layer: l,
      left: xOf(l) - step / 2,
      width: step,
      y: top,
      height: yBottom - top,
      value: r.chanceFloor,
    });
  }

  const first = records.find((r) => r !== null) ?? null;
  const shownPairs =
    L === total ? `${L} layer pairs` : `pairs ${pairLabel(from)} to ${pairLabel(lastPair)} of ${total}`;
  const subtitle = first
    ? `n = ${first.n} tokens, d = ${first.d}${L > 0 ? ` · ${shownPairs}` : ''}`
    : 'Waiting for the first layer pair…';

  return {
    width,
    height,
    margin,
    yBottom,
    yTop,
    axisMode,
    yDomain,
    y,
    yTicks,
    pairs,
    pairAt,
    pairTotal: total,
    series,
    floor,
    floorBelowAxis,
    subtitle,
  };
}
