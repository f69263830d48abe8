import { scaleLinear, scalePoint } from 'd3';
import type { ResultLinearize } from '../../job/result';
import type { AxisTick } from './linearityLayout';
import { type LineSeriesLayout, lineSeries, type SeriesInput } from './lineSeries';

export type SweepSeriesKey = 'linearized' | 'skipped' | 'cumulative';

export interface SweepSeries extends LineSeriesLayout {
  readonly key: SweepSeriesKey;
  readonly label: string;
  /** The block each position stands for: the block itself, or on the cumulative curve the block added at that step. */
  readonly blocks: readonly number[];
}

export interface SweepXTick {
  readonly index: number;
  readonly x: number;
  readonly label: string;
  /** Second line under the label: on the cumulative curve, the block that step adds. */
  readonly sublabel: string | null;
}

/** One panel of the sweep figure: per block (linearized vs skipped), or the cumulative curve. */
export interface SweepPanel {
  readonly key: 'blocks' | 'cumulative';
  readonly title: string;
  readonly xLabel: string;
  readonly width: number;
  readonly height: number;
  readonly margin: {
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
    readonly left: number;
  };
  readonly yDomain: readonly [number, number];
  readonly y: (value: number) => number;
  /** Pixel y of a zero loss increase (the original model), drawn as a reference line. */
  readonly zeroY: number;
  readonly yTicks: AxisTick[];
  readonly xTicks: SweepXTick[];
  readonly series: SweepSeries[];
}

export const SWEEP_SERIES_LABEL: Record<SweepSeriesKey, string> = {
  linearized: 'block linearized (its affine map)',
  skipped: 'block skipped (output := input)',
  cumulative: 'blocks linearized together, most linear first',
};

const MARGIN = { top: 40, right: 12, bottom: 48, left: 48 } as const;
/** Narrowest spacing between two x tick labels. */
const MIN_LABEL_SPACING = 26;

function panel(
  key: SweepPanel['key'],
  title: string,
  xLabel: string,
  series: { key: SweepSeriesKey; inputs: SeriesInput[]; blocks: number[] }[],
  labels: { label: string; sublabel: string | null }[],
  width: number,
  height: number,
): SweepPanel {
  const w = Math.max(160, width);
  const count = labels.length;
  const x = scalePoint<number>()
    .domain(labels.map((_, i) => i))
    .range([MARGIN.left, w - MARGIN.right])
    .padding(0.5);
  const xOf = (i: number) => x(i) ?? MARGIN.left;
  const values = series.flatMap((s) =>
    s.inputs.map((i) => i.value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)),
  );
  // Loss increases are mostly positive; a block whose map helps goes below 0, so 0 is always in view.
  const scale = scaleLinear()
    .domain([Math.min(0, ...values), Math.max(0, ...values) || 1])
    .range([height - MARGIN.bottom, MARGIN.top])
    .nice(5);
  const y = (v: number) => scale(v);
  const format = scale.tickFormat(5);
  const step = count > 0 ? (w - MARGIN.left - MARGIN.right) / count : 0;
  const every = Math.max(1, Math.ceil(MIN_LABEL_SPACING / Math.max(step, 1)));
  return {
    key,
    title,
    xLabel,
    width: w,
    height,
    margin: MARGIN,
    yDomain: scale.domain() as [number, number],
    y,
    zeroY: y(0),
    yTicks: scale.ticks(5).map((value) => ({ value, y: y(value), label: format(value) })),
    xTicks: labels
      .map((l, index) => ({ index, x: xOf(index), ...l }))
      .filter((t) => t.index % every === 0 || t.index === count - 1),
    series: series.map((s) => ({
      key: s.key,
      label: SWEEP_SERIES_LABEL[s.key],
      blocks: s.blocks,
      ...lineSeries(s.inputs, xOf, y),
    })),
  };
}

/**
 * The paper's replacement figure as two panels of `width` each: every block alone, linearized
 * and skipped (loss increase over the original model), and the cumulative curve, where step k
 * linearizes the k most linear blocks together. A block without a map is a gap with its reason.
 */
export function sweepLayout(
  linearize: Pick<ResultLinearize, 'sweep' | 'maps'>,
  width: number,
  height = 240,
): { blocks: SweepPanel; cumulative: SweepPanel } {
  const blocks = linearize.sweep?.blocks ?? [];
  const order = linearize.sweep?.cumulative.order ?? [];
  const steps = linearize.sweep?.cumulative.steps ?? [];
  const blockIndices = blocks.map((b) => b.block);
  return {
    blocks: panel(
      'blocks',
      'Each block alone',
      'block',
      [
        {
          key: 'linearized',
          blocks: blockIndices,
          inputs: blocks.map((b) => ({
            value: b.linear?.lossIncrease ?? null,
            reason: linearize.maps.missing[b.block] ?? 'no map for this block',
          })),
        },
        { key: 'skipped', blocks: blockIndices, inputs: blocks.map((b) => ({ value: b.skip.lossIncrease })) },
      ],
      blocks.map((b) => ({ label: String(b.block), sublabel: null })),
      width,
      height,
    ),
    cumulative: panel(
      'cumulative',
      'Blocks linearized one after another',
      'blocks linearized (+ the block added)',
      [{ key: 'cumulative', blocks: order, inputs: steps.map((m) => ({ value: m.lossIncrease })) }],
      order.map((b, k) => ({ label: String(k + 1), sublabel: `+${b}` })),
      width,
      height,
    ),
  };
}
