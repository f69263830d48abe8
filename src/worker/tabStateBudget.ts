/**
 * The most a run's pooled hidden states may take in the page. The analysis needs working copies
 * beside them, and a tab that runs out of memory loses the run after minutes: beyond this budget a
 * run is refused before it starts (`stateBudgetProblem`), and the command line is the tool.
 */

import { usableMemoryGb } from '../model/deviceMemory';

/** The budget on a device with memory to spare: about 23,000 tokens of a GPT-2 small, 325,000 of the bundled model. */
export const MAX_TAB_STATE_BYTES = 1e9;

/** The share of the device's memory the states may take (the weights' budget is another quarter: ui/memoryBudget.ts). */
export const STATE_SHARE_OF_MEMORY = 0.25;

/**
 * The budget on a device that reports `deviceMemoryGb` GB (`navigator.deviceMemory`: rounded, and
 * capped at 8 by Chromium): a quarter of it, at most `MAX_TAB_STATE_BYTES`; that much where the
 * device reports nothing.
 */
export function tabStateBytes(deviceMemoryGb: number | null | undefined): number {
  const gb = usableMemoryGb(deviceMemoryGb);
  return gb === null ? MAX_TAB_STATE_BYTES : Math.min(MAX_TAB_STATE_BYTES, gb * 1e9 * STATE_SHARE_OF_MEMORY);
}
