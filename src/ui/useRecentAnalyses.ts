/**
 * This browser remembers the last analyses (src/share/recentStore.ts): every finished run is
 * saved, and a page opened without a link or start parameters shows the latest one again, so a
 * reload never loses work.
 */
import { useEffect, useRef, useState } from 'react';
import { listRecent, type RecentAnalysis, saveRecent } from '../share/recentStore';
import type { ShownAnalysis } from './usePermalink';

export function useRecentAnalyses(
  shown: ShownAnalysis | null,
  show: (analysis: ShownAnalysis) => void,
  /** False when the page opened with a link or `?model=`/`?prompt=`: those win over the store. */
  restoreOnLoad: boolean,
) {
  const [recent, setRecent] = useState<RecentAnalysis[]>([]);
  const restored = useRef(false);
  const shownNow = useRef(shown);
  shownNow.current = shown;

  useEffect(() => {
    let live = true;
    listRecent()
      .then((list) => {
        if (!live) return;
        setRecent(list);
        // Only onto an empty page: a link or file opened meanwhile stays.
        if (restoreOnLoad && !restored.current && !shownNow.current && list.length > 0) {
          restored.current = true;
          const last = list[0];
          show({ state: last.state, result: last.result, origin: { kind: 'recent', savedAt: last.savedAt } });
        }
      })
      // No IndexedDB (some private modes): nothing is remembered, and nothing breaks.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [restoreOnLoad, show]);

  useEffect(() => {
    if (shown?.origin.kind !== 'run') return;
    restored.current = true;
    saveRecent(shown.state, shown.result)
      .then(listRecent)
      .then(setRecent)
      .catch(() => undefined);
  }, [shown]);

  const open = (savedAt: number) => {
    const entry = recent.find((r) => r.savedAt === savedAt);
    if (entry)
      show({ state: entry.state, result: entry.result, origin: { kind: 'recent', savedAt: entry.savedAt } });
  };

  return { recent, open };
}
