import type { LinScopeResult, ResultLinearize } from '../job/result';
import { runLabel } from './charts/runLabel';

/** Characters of the prompt shown before each continuation, for context. */
const CONTEXT_CHARS = 80;

/** The end of the text the continuations start from: the first window's tokens. */
export function promptTail(
  result: Pick<LinScopeResult, 'tokens' | 'windows'>,
  chars = CONTEXT_CHARS,
): string {
  const w = result.windows[0] ?? { start: 0, end: result.tokens.length };
  const text = result.tokens
    .slice(w.start, w.end)
    .map((t) => t.text)
    .join('');
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

interface ContinuationCompareProps {
  result: Pick<LinScopeResult, 'tokens' | 'windows'>;
  linearize: ResultLinearize;
}

/**
 * What the original model and each run write next (greedy), side by side: the end of the prompt
 * muted, the new text marked. Both are model or user text, rendered as React text only.
 */
export function ContinuationCompare({ result, linearize }: ContinuationCompareProps) {
  const entries = [
    { key: 'original', label: 'Original', text: linearize.original.continuation },
    ...linearize.runs.map((run, i) => ({ key: String(i), label: runLabel(run), text: run.continuation })),
  ].filter((e): e is { key: string; label: string; text: string } => e.text !== null);
  if (entries.length === 0) return null;
  const tail = promptTail(result);
  return (
    <section
      className="continuations"
      data-testid="linearize-continuations"
      aria-label="Greedy continuations"
    >
      <h3 className="continuations__title">What each model writes next</h3>
      <div className="continuations__grid">
        {entries.map((e) => (
          <figure
            key={e.key}
            className="continuations__item"
            data-testid="linearize-continuation"
            data-run={e.key}
          >
            <figcaption>{e.label}</figcaption>
            <p className="continuations__text">
              <span className="continuations__prompt">{tail}</span>
              <mark className="continuations__new" data-testid="linearize-continuation-text">
                {e.text}
              </mark>
            </p>
          </figure>
        ))}
      </div>
    </section>
  );
}
