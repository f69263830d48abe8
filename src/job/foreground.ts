/**
 * Work someone is waiting for comes first. A job that answers a press of Analyze runs its first part
 * (the model, the text's forward pass, the first view) as foreground work (`beginForeground`, ended
 * at the first view or when the job fails); work the page started on its
 * own (fitting the reference ahead, `referenceAhead.ts`) waits for `backgroundTurn` between its model
 * runs and before its fit, so it never holds the model or the cores while a first view is made.
 * One tally per process: a worker (or the CLI) runs one model.
 */

let foregroundRuns = 0;
let waiting: (() => void)[] = [];

/**
 * Starts foreground work: background work pauses at its next boundary until every foreground part
 * has ended. Returns the call that ends this part (calling it again does nothing).
 */
export function beginForeground(): () => void {
  foregroundRuns++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    foregroundRuns--;
    if (foregroundRuns === 0) {
      const resume = waiting;
      waiting = [];
      for (const go of resume) go();
    }
  };
}

/** Resolves at once when no foreground work runs, otherwise once none does. */
export function backgroundTurn(): Promise<void> {
  if (foregroundRuns === 0) return Promise.resolve();
  return new Promise((resolve) => waiting.push(resolve));
}
