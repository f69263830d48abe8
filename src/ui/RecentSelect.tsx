import type { RecentAnalysis } from '../share/recentStore';

interface RecentSelectProps {
  recent: readonly RecentAnalysis[];
  disabled: boolean;
  /** Reopen the analysis saved at this time (its `savedAt`, the list's key). */
  onOpen: (savedAt: number) => void;
}

/**
 * The analyses this browser remembers, newest first; nothing while there are none. The select
 * always shows its prompt: it is a menu of actions, not a setting.
 */
export function RecentSelect({ recent, disabled, onOpen }: RecentSelectProps) {
  if (recent.length === 0) return null;
  return (
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
  );
}
