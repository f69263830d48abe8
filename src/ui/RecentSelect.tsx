import type { RecentAnalysis } from '../share/recentStore';

interface RecentSelectProps {
  recent: readonly RecentAnalysis[];
  disabled: boolean;
  /** Reopen the analysis saved at this time (its `savedAt`, the list's key). */
  onOpen: (savedAt: number) => void;
  /** Forget them all. */
  onForget: () => void;
}

/**
 * The analyses this browser remembers, newest first; nothing while there are none. The select
 * always shows its prompt: it is a menu of actions, not a setting.
 */
export function RecentSelect({ recent, disabled, onOpen, onForget }: RecentSelectProps) {
  if (recent.length === 0) return null;
  return (
    <>
      <label>
        Recent{' '}
        <select
          data-testid="recent-select"
          value=""
          disabled={disabled}
          onChange={(e) => e.target.value && onOpen(Number(e.target.value))}
        >
          <option value="">Reopen a recent analysis…</option>
          {recent.map((r) => (
            <option key={r.savedAt} value={r.savedAt}>
              {r.title}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        data-testid="forget-recent"
        disabled={disabled}
        onClick={onForget}
        title="The last analyses (their texts included) are kept in this browser only (IndexedDB), never sent anywhere. This forgets them all."
      >
        Forget recent analyses
      </button>
    </>
  );
}
