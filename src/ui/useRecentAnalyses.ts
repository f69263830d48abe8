/**
 * This browser remembers the last analyses (src/share/recentStore.ts): every finished run is
 * saved, and a page opened without a link or start parameters shows the latest one again, so a
 * reload never loses work.
 */
import { useEffect, useRef, useState } from 'react';
import type { LinScopeResult } from '../job/result';
import type { ShareState } from '../share/permalinkState';
import { forgetRecent, listRecent, type RecentAnalysis, saveRecent } from '../share/recentStore';
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
  // The record the analysis on screen is saved as: an experiment added to it later updates that
  // record instead of adding another.
  const savedAs = useRef<{ state: ShareState; savedAt: number } | null>(null);
  // The result last opened from the store, as stored: shown again unchanged, it is not saved again.
  const loaded = useRef<LinScopeResult | null>(null);

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
          loaded.current = last.result;
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
    if (!shown) return;
    let savedAt: number;
    if (shown.origin.kind === 'run')
      savedAt = savedAs.current?.state === shown.state ? savedAs.current.savedAt : Date.now();
    else if (shown.origin.kind === 'recent' && shown.result !== loaded.current)
      savedAt = shown.origin.savedAt;
    else return;
    savedAs.current = { state: shown.state, savedAt };
    restored.current = true;
    saveRecent(shown.state, shown.result, savedAt)
      .then(listRecent)
      .then(setRecent)
      .catch(() => undefined);
  }, [shown]);

  const open = (savedAt: number) => {
    const entry = recent.find((r) => r.savedAt === savedAt);
    if (!entry) return;
    loaded.current = entry.result;
    show({ state: entry.state, result: entry.result, origin: { kind: 'recent', savedAt: entry.savedAt } });
  };

  /** Forget every remembered analysis; what is on screen stays, and is not saved again. */
  const forget = async () => {
    await forgetRecent();
    if (shownNow.current) loaded.current = shownNow.current.result;
    setRecent(await listRecent());
  };

  return { recent, open, forget };
}
