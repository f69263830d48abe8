/**
 * The last analyses, kept in this browser (IndexedDB) so a reload never loses work. Each record is
 * a `.linscope.json` value (state + full result); on reading, it goes through the same checks as a
 * file, since storage can hold records from an older LinScope or be edited by hand.
 */

import type { LinScopeResult } from '../job/result';
import { idbRequest, idbTransactionDone, openIndexedDb } from './indexedDb';
import { LINSCOPE_FILE_SCHEMA, parseLinScopeValue } from './linscopeFile';
import type { ShareState } from './permalinkState';
import { shareStateJson } from './permalinkState';

/** How many analyses are kept; the oldest goes first. */
export const RECENT_LIMIT = 10;
/** A database of its own: another with its own stores and version (the worker's reference fits) is `linscope`. */
const DB_NAME = 'linscope-recent';
const STORE = 'recent-analyses';

export interface RecentAnalysis {
  /** When it was saved (ms since the epoch); also its key. */
  savedAt: number;
  title: string;
  state: ShareState;
  result: LinScopeResult;
}

interface StoredRecord {
  savedAt: number;
  title: string;
  value: unknown;
}

/** A line that tells analyses apart: model, the text's start, token count. */
export function recentTitle(state: ShareState, result: LinScopeResult): string {
  const model = state.model.id.split('/').pop() ?? state.model.id;
  const text = state.input.text.replace(/\s+/g, ' ').trim();
  const start = text.length > 40 ? `${text.slice(0, 39)}…` : text;
  return `${model} · “${start}” · ${result.tokens.length} tokens`;
}

/** Keys to delete so that `limit` newest remain. */
export function keysToDrop(keys: readonly number[], limit: number = RECENT_LIMIT): number[] {
  return [...keys].sort((a, b) => b - a).slice(limit);
}

function openDb(): Promise<IDBDatabase> {
  return openIndexedDb(DB_NAME, 1, [{ name: STORE, keyPath: 'savedAt' }]);
}

/** Remember an analysis, and forget the oldest beyond `RECENT_LIMIT`. */
export async function saveRecent(
  state: ShareState,
  result: LinScopeResult,
  savedAt = Date.now(),
): Promise<void> {
  const db = await openDb();
  try {
    const record: StoredRecord = {
      savedAt,
      title: recentTitle(state, result),
      value: { schema: LINSCOPE_FILE_SCHEMA, state: shareStateJson(state), result },
    };
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    await idbRequest(store.put(record));
    const keys = (await idbRequest(store.getAllKeys())) as number[];
    for (const key of keysToDrop(keys)) store.delete(key);
    await idbTransactionDone(tx);
  } finally {
    db.close();
  }
}

/** The remembered analyses, newest first; records that fail the checks are skipped. */
export async function listRecent(): Promise<RecentAnalysis[]> {
  const db = await openDb();
  try {
    const records = (await idbRequest(
      db.transaction(STORE, 'readonly').objectStore(STORE).getAll(),
    )) as StoredRecord[];
    const out: RecentAnalysis[] = [];
    for (const record of records) {
      const parsed = parseLinScopeValue(record?.value);
      if (parsed.ok && typeof record.savedAt === 'number')
        out.push({
          savedAt: record.savedAt,
          title: String(record.title),
          state: parsed.state,
          result: parsed.result,
        });
    }
    return out.sort((a, b) => b.savedAt - a.savedAt);
  } finally {
    db.close();
  }
}

/** Forget every remembered analysis (the user's texts with them); the database stays, empty. */
export async function forgetRecent(): Promise<void> {
  const db = await openDb();
  try {
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).clear();
    await idbTransactionDone(tx);
  } finally {
    db.close();
  }
}
