import { type ReactNode, useId, useState } from 'react';
import './ChartFrame.css';

export const PAPER_URL = 'https://arxiv.org/abs/2405.12250';

/** One export button: its short label ("PNG") and what it does. */
export interface ExportAction {
  readonly label: string;
  /** Accessible name, e.g. "Download the linearity chart as PNG". */
  readonly description: string;
  /** `data-testid` suffix: the button is `<chart testid>-export-<id>`. */
  readonly id: string;
  readonly run: () => void | Promise<void>;
}

export type HeadingLevel = 2 | 3 | 4;

export interface ChartFrameProps {
  readonly testId: string;
  readonly title: string;
  readonly subtitle?: ReactNode;
  /** Level of the chart's heading (default 2: the charts sit under the page's h1). */
  readonly headingLevel?: HeadingLevel;
  /** The "What am I looking at?" sentences; the paper link is added after them. */
  readonly explainer: ReactNode;
  readonly exports?: readonly ExportAction[];
  /** Extra attributes on the root (data-* hooks for tests). */
  readonly rootAttributes?: Readonly<Record<`data-${string}`, string | number>>;
  readonly className?: string;
  readonly children: ReactNode;
}

/** Title, subtitle, export buttons and explainer around a chart: the same frame for every chart. */
export function ChartFrame(props: ChartFrameProps) {
  const headingId = useId();
  const [error, setError] = useState<string | null>(null);
  const Heading = `h${props.headingLevel ?? 2}` as const;
  return (
    <section
      className={`lsc ${props.className ?? ''}`}
      data-testid={props.testId}
      aria-labelledby={headingId}
      {...props.rootAttributes}
    >
      <header className="lsc__header">
        <div className="lsc__titles">
          <Heading id={headingId} className="lsc__title">
            {props.title}
          </Heading>
          {props.subtitle !== undefined && <p className="lsc__subtitle">{props.subtitle}</p>}
        </div>
        {props.exports && props.exports.length > 0 && (
          <div className="lsc__exports">
            {props.exports.map((action) => (
              <button
                key={action.id}
                type="button"
                className="lsc__export"
                aria-label={action.description}
                title={action.description}
                data-testid={`${props.testId}-export-${action.id}`}
                onClick={() => {
                  setError(null);
                  Promise.resolve()
                    .then(action.run)
                    .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
                }}
              >
                {action.label}
              </button>
            ))}
          </div>
        )}
      </header>
      {error && (
        <p role="alert" className="lsc__error">
          Export failed: {error}
        </p>
      )}
      <details className="lsc__explainer">
        <summary>What am I looking at?</summary>
        {props.explainer}
        <p>
          From{' '}
          <a href={PAPER_URL} target="_blank" rel="noreferrer">
            “Your Transformer is Secretly Linear” (Razzhigaev et al., ACL 2024)
          </a>
          .
        </p>
      </details>
      {props.children}
    </section>
  );
}
