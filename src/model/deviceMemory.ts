/**
 * The device's memory as a browser reports it (`navigator.deviceMemory`, GB: rounded, and capped at
 * 8 by Chromium): the only figure a page or its worker has for what it may hold. Read here once for
 * the two budgets built on it, the weights a device may load (ui/memoryBudget.ts) and the hidden
 * states a run may pool (worker/tabStateBudget.ts).
 */

/** `reported` where it is a usable figure of GB (finite, above 0); null otherwise. */
export function usableMemoryGb(reported: number | null | undefined): number | null {
  return typeof reported === 'number' && Number.isFinite(reported) && reported > 0 ? reported : null;
}

/** What this realm's navigator reports (a page's or its worker's), or null (Firefox, Safari, Node). */
export function reportedDeviceMemoryGb(): number | null {
  const value = (globalThis.navigator as { deviceMemory?: unknown } | undefined)?.deviceMemory;
  return typeof value === 'number' ? value : null;
}
