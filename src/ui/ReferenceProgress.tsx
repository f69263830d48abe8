import { type JobProgress, overallFraction, type ProgressPlan, REFERENCE_PHASES } from '../job/progress';

interface ReferenceProgressProps {
  progress: JobProgress | null;
  /** The run's plan (null before it arrives). */
  plan: ProgressPlan | null;
}

/**
 * Where the reference part of a run is, in words: "fitting the reference: window k of n". `plan`
 * tells a run that fits from one that uses a stored fit (its plan has no reference forward phase).
 */
export function describeReferenceProgress(
  progress: JobProgress | null,
  plan: ProgressPlan | null = null,
): string {
  const waiting =
    plan !== null && !plan.some((p) => p.phase === 'forward-reference' || p.phase === 'reference-sample')
      ? 'Using the stored reference fit…'
      : 'Fitting the reference…';
  switch (progress?.stage) {
    case 'forward':
      return progress.of === 'reference'
        ? `Fitting the reference: window ${progress.window} of ${progress.windows}`
        : progress.of === 'reference-check'
          ? `Checking the reference fit on held-out text: window ${progress.window} of ${progress.windows}`
          : waiting;
    case 'sample':
      return `Writing the model’s own reference text: sample ${progress.done} of ${progress.total}`;
    case 'fit':
      return `Fitting the reference: layer pair ${progress.done} of ${progress.total}`;
    case 'reference-score':
      return `Scoring every token against the reference: layer pair ${progress.done} of ${progress.total}`;
    default:
      return waiting;
  }
}

/**
 * What the heatmap's place says while the first view is up and the reference is run, fitted and
 * scored against: the step in words and a bar across the reference's phases.
 */
export function ReferenceProgress({ progress, plan }: ReferenceProgressProps) {
  const phases = plan?.filter((p) => REFERENCE_PHASES.includes(p.phase)) ?? [];
  const fraction = progress && phases.length > 0 ? overallFraction(phases, progress) : null;
  return (
    <span className="reference-progress" data-testid="reference-progress">
      <span data-testid="reference-progress-text">{describeReferenceProgress(progress, plan)}</span>{' '}
      <span className="muted">
        The scores above need no reference (in-sample, and held out within your text); per-token values and
        the held-out scores against the reference follow.
      </span>
      <progress max={1} value={fraction ?? undefined} aria-label="Progress of the reference fit" />
    </span>
  );
}
