/**
 * The words under the heatmap about what the per-token maps were fitted on, how they did on held-out
 * reference text, and, when the run's text flashes far more than that and is unlike the reference,
 * a warning (docs/analysis.md, "Calibration").
 */
import type { ResultPerToken } from '../job/result';

export interface ReferenceNote {
  /** What the maps were fitted on, and the flash rates. */
  readonly summary: string;
  /** Set when `calibration.offReference` holds. */
  readonly warning: string | null;
}

const percent = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;
const count = (n: number) => n.toLocaleString('en-US');

/** "0.4–2.0%" over the pairs that have a rate, or null when none has. */
function rateRange(rates: readonly (number | null)[]): string | null {
  const known = rates.filter((r): r is number => r !== null);
  if (known.length === 0) return null;
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return lo === hi ? percent(lo) : `${percent(lo).replace('%', '')}–${percent(hi)}`;
}

export function referenceNote(perToken: ResultPerToken): ReferenceNote {
  const { reference: ref, calibration: cal } = perToken;
  const from =
    ref.documents !== undefined && ref.corpusDocuments !== undefined
      ? ` from ${count(ref.documents)} of ${count(ref.corpusDocuments)} documents`
      : '';
  const how =
    ref.sampling === undefined
      ? ''
      : ref.sampling.rule === 'seeded-windows'
        ? ` (windows of up to ${ref.sampling.chunkTokens} tokens drawn across the corpus, seed ${ref.sampling.seed})`
        : ref.sampling.rule === 'seeded-chunks'
          ? ` (chunks of ${ref.sampling.chunkTokens} tokens drawn across the corpus, seed ${ref.sampling.seed})`
          : ' (the corpus’s first tokens)';
  let summary = `Per-token maps fitted on ${count(ref.tokens)} tokens${from} of “${ref.name}”${how}.`;
  if (cal) {
    const held = rateRange(cal.heldOutFlashRate);
    const here = rateRange(cal.flashRate);
    summary += ` Nominal flash rate ${percent(cal.nominalFlashRate)} per pair`;
    summary += held === null ? '' : `; held-out reference text: ${held}`;
    summary += here === null ? '.' : `; this text: ${here}.`;
  }
  const warning =
    cal?.offReference === true
      ? `This text flashes far more often than held-out reference text, and ${percent(cal.unseenTokenShare)} of its distinct tokens never occur in the reference: many of its flashes may mark text unlike “${ref.name}” rather than non-linear computation. A reference corpus from the text’s own domain (Settings, “Use my own reference corpus…”) judges it fairly.`
      : null;
  return { summary, warning };
}
