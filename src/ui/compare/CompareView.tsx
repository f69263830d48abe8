import { useId, useState } from 'react';
import type { CompareLinkBuild } from '../../share/comparePermalink';
import type { RecentAnalysis } from '../../share/recentStore';
import { FileButton } from '../FileButton';
import { CompareDifferences } from './CompareDifferences';
import { CompareEntryList } from './CompareEntryList';
import { CompareHeatmaps } from './CompareHeatmaps';
import { CompareScores } from './CompareScores';
import { SeriesChart } from './SeriesChart';
import type { CompareModel } from './useCompare';
import './compare.css';

interface CompareViewProps {
  readonly compare: CompareModel;
  readonly recent: readonly RecentAnalysis[];
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/**
 * Two or more results side by side (docs/compare.md): their linearity over normalised depth, the
 * differences from the baseline, the synchronised heatmaps, the series chart, and a link.
 */
export function CompareView({ compare, recent }: CompareViewProps) {
  const headingId = useId();
  const { entries, message } = compare;
  const [link, setLink] = useState<(CompareLinkBuild & { url: string }) | null>(null);
  const [copied, setCopied] = useState(false);
  const share = async () => {
    const built = compare.buildLink();
    setLink(built);
    setCopied(false);
    try {
      await navigator.clipboard.writeText(built.url);
      setCopied(true);
    } catch {
      // No clipboard permission: the link is in the field to copy by hand.
    }
  };
  return (
    <section
      className="compare panel"
      aria-labelledby={headingId}
      data-testid="compare-view"
      data-count={entries.length}
    >
      <h2 id={headingId} className="compare__title">
        Compare results
      </h2>
      <p className="compare__intro">
        Put results side by side: two models, two dtypes, two texts on one model, base vs fine-tuned, or a
        series of checkpoints. Add the result shown above (“Add to compare”), a recent analysis, or result
        files (<code>linscope analyze --out</code>, <code>linscope reduce --out</code>, Export result JSON,
        .linscope.json). The first result is the baseline.
      </p>
      <div className="row compare__inputs">
        <FileButton
          testId="compare-file-input"
          accept=".json,application/json"
          multiple
          onFiles={compare.addFiles}
        >
          Add result files (.json)…
        </FileButton>
        {recent.length > 0 && (
          <label>
            Add a recent analysis{' '}
            <select
              data-testid="compare-recent-select"
              value=""
              onChange={(e) => {
                const record = recent.find((r) => r.savedAt === Number(e.target.value));
                if (record) compare.addResult(record.result);
              }}
            >
              <option value="">Pick one…</option>
              {recent.map((r) => (
                <option key={r.savedAt} value={r.savedAt}>
                  {r.title}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {message && (
        <div
          className={`compare__message compare__message--${message.kind}`}
          data-testid="compare-message"
          data-kind={message.kind}
          role={message.kind === 'error' ? 'alert' : 'status'}
        >
          {message.lines.map((line) => (
            <p key={line}>{line}</p>
          ))}
          <button type="button" onClick={compare.dismissMessage}>
            Dismiss
          </button>
        </div>
      )}
      {entries.length === 0 ? (
        <p className="compare__empty" data-testid="compare-empty">
          Nothing to compare yet.
        </p>
      ) : (
        <CompareEntryList entries={entries} dispatch={compare.dispatch} />
      )}
      {entries.length === 1 && (
        <p className="compare__empty">Add another result to compare it with this one.</p>
      )}
      {entries.length >= 2 && (
        <>
          <CompareScores entries={entries} />
          <CompareDifferences entries={entries} />
          <CompareHeatmaps entries={entries} />
          <SeriesChart entries={entries} />
          <div className="compare__share">
            <button type="button" data-testid="compare-share-button" onClick={() => void share()}>
              Link to this comparison
            </button>
            {link && (
              <>
                <input
                  type="text"
                  readOnly
                  aria-label="Link to this comparison"
                  data-testid="compare-share-link"
                  data-contents={link.contents}
                  value={link.url}
                  onFocus={(e) => e.currentTarget.select()}
                />
                <p data-testid="compare-share-note">
                  {copied ? 'Copied. ' : ''}
                  {kb(link.urlLength)}
                  {link.leftOut.length > 0
                    ? `; left out to fit 8 KB: ${link.leftOut.join('; ')}.`
                    : ', everything included.'}
                  {link.overBudget
                    ? ' Even so the link is longer than 8 KB, and some apps cut long links: share the result files instead.'
                    : ''}
                </p>
              </>
            )}
          </div>
        </>
      )}
    </section>
  );
}
