/**
 * Progress of work in flight that several callers wait for (a model load, a reference fit): the work
 * reports to `emit`, and each caller sees the progress while it waits (`follow`).
 */
export class ProgressFanOut<P> {
  private readonly listeners = new Set<(progress: P) => void>();

  /** `first`: a caller that follows the work from its start to its end (its maker). */
  constructor(first?: (progress: P) => void) {
    if (first) this.listeners.add(first);
  }

  /** What the work reports its progress to. */
  readonly emit = (progress: P): void => {
    for (const listener of this.listeners) listener(progress);
  };

  /**
   * Waits for `work`, passing its progress on to `onProgress` meanwhile; stops waiting (not the work)
   * when `signal` aborts.
   */
  async follow<T>(work: Promise<T>, onProgress?: (progress: P) => void, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (onProgress) this.listeners.add(onProgress);
    let stopWaiting = () => {};
    try {
      if (!signal) return await work;
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          const abort = () => reject(signal.reason);
          signal.addEventListener('abort', abort, { once: true });
          stopWaiting = () => signal.removeEventListener('abort', abort);
        }),
      ]);
    } finally {
      stopWaiting();
      if (onProgress) this.listeners.delete(onProgress);
    }
  }
}
