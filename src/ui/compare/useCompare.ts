/**
 * The compare view's state: its entries (`compareEntries.ts`), what the last addition said, the
 * ways in (the result shown in the page, a Recent record, files, a compare link in the URL
 * fragment on load and on `hashchange`) and its link. Nothing already in the view is lost when an
 * addition fails.
 */
import { useCallback, useEffect, useReducer, useState } from 'react';
import type { LinScopeResult } from '../../job/result';
import { parseCompareFile } from '../../share/compareFile';
import {
  type CompareLinkBuild,
  decodeCompareLink,
  encodeCompareLink,
  isCompareFragment,
  MAX_COMPARE_ENTRIES,
} from '../../share/comparePermalink';
import { MAX_LINSCOPE_FILE_BYTES } from '../../share/linscopeFile';
import { compareReducer, defaultLabel, EMPTY_COMPARE, perTokenAbsence, roomFor } from './compareEntries';

/** What the last addition said: an error (something was not added) or notes (it was, with remarks). */
export interface CompareMessage {
  readonly kind: 'error' | 'notes';
  readonly lines: readonly string[];
}

const fullMessage = (count: number) =>
  `The compare view holds at most ${MAX_COMPARE_ENTRIES} results: ${count} not added. Remove one first.`;

export function useCompare() {
  const [state, dispatch] = useReducer(compareReducer, EMPTY_COMPARE);
  const [message, setMessage] = useState<CompareMessage | null>(null);
  const [restoredFromLink, setRestoredFromLink] = useState(false);

  const addResult = useCallback(
    (result: LinScopeResult) => {
      if (roomFor(state, 1) === 0) {
        setMessage({ kind: 'error', lines: [fullMessage(1)] });
        return;
      }
      setMessage(null);
      dispatch({
        type: 'add',
        items: [{ label: defaultLabel(result), result, perTokenAbsent: perTokenAbsence(result) }],
      });
    },
    [state],
  );

  const addFiles = useCallback(
    async (files: readonly File[]) => {
      const errors: string[] = [];
      const notes: string[] = [];
      const items: { label: string; result: LinScopeResult; perTokenAbsent: string | null }[] = [];
      for (const file of files) {
        if (file.size > MAX_LINSCOPE_FILE_BYTES) {
          errors.push(`“${file.name}” is larger than 64 MB; LinScope compares files up to 64 MB.`);
          continue;
        }
        let text: string;
        try {
          text = await file.text();
        } catch {
          errors.push(`“${file.name}” could not be read.`);
          continue;
        }
        const parsed = parseCompareFile(file.name, text);
        if (!parsed.ok) {
          errors.push(parsed.message);
          continue;
        }
        notes.push(...parsed.notes.map((n) => `“${file.name}”: ${n}`));
        items.push({
          label: defaultLabel(parsed.result),
          result: parsed.result,
          perTokenAbsent: perTokenAbsence(parsed.result),
        });
      }
      const room = roomFor(state, items.length);
      if (room < items.length) errors.push(fullMessage(items.length - room));
      if (items.length > 0) dispatch({ type: 'add', items });
      if (errors.length > 0)
        setMessage({
          kind: 'error',
          lines: [...errors, ...(state.entries.length > 0 ? ['The results already compared are kept.'] : [])],
        });
      else setMessage(notes.length > 0 ? { kind: 'notes', lines: notes } : null);
    },
    [state],
  );

  const openFragment = useCallback((fragment: string) => {
    const decoded = decodeCompareLink(fragment);
    if (!decoded.ok) {
      setMessage({ kind: 'error', lines: [decoded.message] });
      return;
    }
    dispatch({
      type: 'replace',
      items: decoded.entries.map((e) => ({
        label: e.label,
        result: e.result,
        perTokenAbsent: perTokenAbsence(e.result, { leftOutOfLink: e.perTokenLeftOut || e.tokensLeftOut }),
      })),
    });
    setRestoredFromLink(true);
    setMessage({ kind: 'notes', lines: decoded.notes });
  }, []);

  // A compare link in the fragment on load, and any pasted into this tab later.
  useEffect(() => {
    const open = () => {
      if (isCompareFragment(window.location.hash)) openFragment(window.location.hash);
    };
    open();
    window.addEventListener('hashchange', open);
    return () => window.removeEventListener('hashchange', open);
  }, [openFragment]);

  const buildLink = useCallback((): CompareLinkBuild & { url: string } => {
    const base = `${window.location.origin}${window.location.pathname}`;
    const build = encodeCompareLink(state.entries, { baseLength: base.length });
    return { ...build, url: `${base}${build.fragment}` };
  }, [state.entries]);

  return {
    entries: state.entries,
    dispatch,
    message,
    dismissMessage: () => setMessage(null),
    restoredFromLink,
    addResult,
    addFiles,
    buildLink,
  };
}

export type CompareModel = ReturnType<typeof useCompare>;
