import type { Dispatch } from 'react';
import { entryColor } from './compareColors';
import type { CompareAction, CompareEntry } from './compareEntries';

/** The compared results: a label to edit, the baseline marked, reorder, make baseline, remove. */
export function CompareEntryList({
  entries,
  dispatch,
}: {
  entries: readonly CompareEntry[];
  dispatch: Dispatch<CompareAction>;
}) {
  return (
    <ol className="compare-entries" data-testid="compare-entries">
      {entries.map((entry, index) => {
        const m = entry.result.model;
        return (
          <li
            key={entry.key}
            className="compare-entry"
            data-testid="compare-entry"
            data-entry={index}
            data-layers={m.layers}
            data-hidden={m.hidden}
          >
            <span
              className="compare-entry__swatch"
              style={{ background: entryColor(index) }}
              aria-hidden="true"
            />
            <input
              type="text"
              className="compare-entry__label"
              data-testid="compare-label"
              aria-label={`Label of result ${index + 1}`}
              value={entry.label}
              onChange={(e) => dispatch({ type: 'rename', key: entry.key, label: e.target.value })}
            />
            <span className="compare-entry__facts">
              {index === 0 && <strong className="compare-entry__baseline">baseline · </strong>}
              {m.layers} layers × {m.hidden} · {m.dtype} ·{' '}
              {entry.result.statistics
                ? `${entry.result.statistics.tokens.toLocaleString('en')} tokens (reduced)`
                : `${entry.result.tokens.length} tokens`}
            </span>
            <span className="compare-entry__actions">
              <button
                type="button"
                aria-label={`Move result ${index + 1} up`}
                disabled={index === 0}
                onClick={() => dispatch({ type: 'move', key: entry.key, by: -1 })}
              >
                ↑
              </button>
              <button
                type="button"
                aria-label={`Move result ${index + 1} down`}
                disabled={index === entries.length - 1}
                onClick={() => dispatch({ type: 'move', key: entry.key, by: 1 })}
              >
                ↓
              </button>
              <button
                type="button"
                data-testid="compare-make-baseline"
                disabled={index === 0}
                onClick={() => dispatch({ type: 'baseline', key: entry.key })}
              >
                Make baseline
              </button>
              <button
                type="button"
                data-testid="compare-remove"
                aria-label={`Remove result ${index + 1} from the comparison`}
                onClick={() => dispatch({ type: 'remove', key: entry.key })}
              >
                Remove
              </button>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
