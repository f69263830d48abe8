import { scaleLinear, scalePoint } from 'd3';
import { type ChartResult, layerAt, pairCount, pairLabel } from './chartResult';
import type { AxisTick } from './linearityLayout';
import { type LineSeriesLayout, lineSeries, type SeriesInput } from './lineSeries';

export type CompanionKey = 'anisotropy' | 'cosine' | 'updateRatio' | 'intrinsicDimension';

export interface CompanionPanel extends LineSeriesLayout {
  readonly key: CompanionKey;
  readonly title: string;
  /** What one x position is: a state (0..L) or a pair (0..L-1). */
  readonly over: 'state' | 'pair';
  /** Axis titles: what x counts and what unit y is in. */
  readonly xTitle: string;
  readonly yTitle: string;
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
  readonly yTicks: AxisTick[];
  readonly xTicks: { readonly index: number; readonly x: number; readonly label: string }[];
  /** Width of one column; column i spans margin.left + i * step onwards. */
  readonly step: number;
}

export interface CompanionPanelSpec {
  readonly key: CompanionKey;
  readonly title: string;
  readonly over: 'state' | 'pair';
  /** The y axis' title: the value's unit. */
  readonly yTitle: string;
  readonly inputs: readonly SeriesInput[];
  /** `unit`: [min(0, lowest), 1]; `zero`: [0, highest] with headroom. */
  readonly domain: 'unit' | 'zero';
  /** How the numbers were computed, where a reader comparing them with other tools needs to know. */
  readonly note?: string;
}

/**
 * Shown under the intrinsic-dimension panel: LinScope's TwoNN de-duplicates rows, the authors'
 * code does not (docs/analysis.md), and on repeated rows the two give very different numbers.
 */
export const INTRINSIC_DIMENSION_NOTE =
  'TwoNN on the first 4096 kept tokens with repeated rows dropped first (LinScope de-duplicates; ' +
  "the paper's code instead discards points whose two nearest neighbours tie, which on a state with " +
  'many repeated tokens, such as state 0 of a corpus, leaves only a handful and a different estimate).';

/** The metrics drawn as small multiples: anisotropy per state, cosine and update ratio per pair. */
export function companionSpecs(result: ChartResult): CompanionPanelSpec[] {
  const L = pairCount(result);
  const states = Array.from({ length: L + 1 }, (_, s) => result.states?.[s] ?? null);
  const pairs = Array.from({ length: L }, (_, l) => layerAt(result, l));
  const stateInput = (v: number | null | undefined, pending: boolean): SeriesInput =>
    pending ? { value: undefined } : { value: v ?? null, reason: 'not computed for this run' };
  const specs: CompanionPanelSpec[] = [
    {
      key: 'anisotropy',
      title: 'Anisotropy per state',
      over: 'state',
      yTitle: 'variance share',
      inputs: states.map((s) => stateInput(s?.anisotropy, s === null)),
      domain: 'zero',
    },
    {
      key: 'cosine',
      title: 'Cosine similarity, state l vs l+1',
      over: 'pair',
      yTitle: 'mean cosine',
      inputs: pairs.map((r) => stateInput(r?.cosine, r === null)),
      domain: 'unit',
    },
    {
      key: 'updateRatio',
      title: 'Update norm / stream norm',
      over: 'pair',
      yTitle: 'norm ratio',
      inputs: pairs.map((r) => stateInput(r?.updateRatio, r === null)),
      domain: 'zero',
    },
  ];
  // Intrinsic dimension is off by default (costly): a panel only when some state has it.
  if (states.some((s) => typeof s?.intrinsicDimension === 'number'))
    specs.push({
      key: 'intrinsicDimension',
      title: 'Intrinsic dimension (TwoNN)',
      over: 'state',
      yTitle: 'dimensions',
      inputs: states.map((s) => stateInput(s?.intrinsicDimension, s === null)),
      domain: 'zero',
      note: INTRINSIC_DIMENSION_NOTE,
    });
  return specs;
}

/** The x axis' title: states (0 = the embeddings) or layer pairs. */
export const COMPANION_X_TITLE: Record<CompanionPanelSpec['over'], string> = {
  state: 'state (0 = embeddings)',
  pair: 'layer pair (l → l+1)',
};

export function companionPanelLayout(spec: CompanionPanelSpec, width: number, height = 184): CompanionPanel {
  // Left: tick labels and the rotated y title; bottom: tick labels and the x title.
  const margin = { top: 26, right: 10, bottom: 40, left: 54 };
  const w = Math.max(140, width);
  const count = spec.inputs.length;
  const x = scalePoint<number>()
    .domain(spec.inputs.map((_, i) => i))
    .range([margin.left, w - margin.right])
    .padding(0.5);
  const xOf = (i: number) => x(i) ?? margin.left;
  const finite = spec.inputs
    .map((i) => i.value)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const lowest = Math.min(0, ...finite);
  const highest = Math.max(0, ...finite);
  const yDomain: [number, number] =
    spec.domain === 'unit'
      ? [lowest < 0 ? Math.floor(lowest * 10) / 10 : 0, 1]
      : [0, highest > 0 ? highest * 1.1 : 1];
  const scale = scaleLinear()
    .domain(yDomain)
    .range([height - margin.bottom, margin.top])
    .nice();
  const niceDomain = scale.domain() as [number, number];
  const y = (v: number) => scale(v);
  const yTicks = scale.ticks(4).map((value) => ({ value, y: y(value), label: scale.tickFormat(4)(value) }));
  const step = count > 0 ? (w - margin.left - margin.right) / count : 0;
  const every = Math.max(1, Math.ceil(30 / Math.max(step, 1)));
  const xTicks = spec.inputs
    .map((_, i) => ({ index: i, x: xOf(i), label: spec.over === 'pair' ? pairLabel(i) : String(i) }))
    .filter((t) => t.index % every === 0 || t.index === count - 1);
  return {
    key: spec.key,
    title: spec.title,
    over: spec.over,
    xTitle: COMPANION_X_TITLE[spec.over],
    yTitle: spec.yTitle,
    width: w,
    height,
    margin,
    yDomain: niceDomain,
    y,
    yTicks,
    xTicks,
    step,
    ...lineSeries(spec.inputs, xOf, y),
  };
}
