/**
 * The token count line's state. A count belongs to the text (and model) it was computed for: it is
 * shown only while the box holds that text, so a count that arrives for an older text, or the last
 * text's count next to a newly uploaded file's name, is never shown; the line says it is counting
 * instead. Counting a long text takes the worker seconds (a 20 MB file: half a minute), so counts
 * are asked one at a time, and only the latest text waits for its turn.
 */
import type { TokenCount } from '../worker/protocol';

/** What a count is for: the model's id, and the prompt as the worker is sent it. */
export interface CountKey {
  readonly modelId: string;
  readonly text: string;
  readonly corpus: boolean;
}

/** A count the worker answered (`count`), or could not give (`null`), for `key`. */
export interface CountOutcome {
  readonly key: CountKey;
  readonly count: TokenCount | null;
}

/** What the line says: nothing, that it is counting, or the count of the text in the box. */
export type TokenCountView =
  | { readonly kind: 'none' }
  | { readonly kind: 'counting' }
  | { readonly kind: 'counted'; readonly count: TokenCount };

const n = (v: number) => v.toLocaleString('en');

function countLine(count: TokenCount, windowLength: number): string {
  const context = count.contextLength ?? windowLength;
  const window = Math.min(context, windowLength);
  const windows = Math.max(1, Math.ceil(count.tokens / window));
  const split =
    windows > 1 ? ` · longer than the ${n(window)}-token window: runs in ${n(windows)} windows` : '';
  return `${n(count.tokens)} tokens · context ${n(context)}${split}`;
}

/**
 * The line under the prompt box: the uploaded file's name, and the count of the text in the box
 * once the worker has counted it ("counting tokens…" until then).
 */
export function tokenCountLine(fileName: string | null, view: TokenCountView, windowLength: number): string {
  const said =
    view.kind === 'counted'
      ? countLine(view.count, windowLength)
      : view.kind === 'counting'
        ? 'counting tokens…'
        : '';
  if (!fileName) return said && said[0].toUpperCase() + said.slice(1);
  return said ? `${fileName} · ${said}` : fileName;
}

/** Same model and prompt. The text is compared by value (the same string object answers at once). */
export function sameCountKey(a: CountKey, b: CountKey): boolean {
  return a.modelId === b.modelId && a.corpus === b.corpus && a.text === b.text;
}

/**
 * The line for the prompt `now` (null: there is no count to ask for now: no runtime yet, or a Hub
 * model not yet allowed), given the last outcome the worker gave.
 */
export function countView(outcome: CountOutcome | null, now: CountKey | null): TokenCountView {
  if (now === null) return { kind: 'none' };
  if (outcome === null || !sameCountKey(outcome.key, now)) return { kind: 'counting' };
  return outcome.count === null ? { kind: 'none' } : { kind: 'counted', count: outcome.count };
}

/**
 * Runs one job at a time. A key wanted while one runs waits, and a later key replaces it: keys
 * passed over are never run (a count of a text the user has typed past would only keep the worker
 * from the text in the box). `stop` drops the waiting key; the one running still ends.
 */
export class LatestOnly<K> {
  private running = false;
  private waiting: { key: K } | null = null;
  private stopped = false;

  constructor(private readonly run: (key: K) => Promise<void>) {}

  want(key: K): void {
    if (this.stopped) return;
    if (this.running) {
      this.waiting = { key };
      return;
    }
    this.start(key);
  }

  stop(): void {
    this.stopped = true;
    this.waiting = null;
  }

  private start(key: K): void {
    this.running = true;
    let job: Promise<void>;
    try {
      job = this.run(key);
    } catch {
      job = Promise.resolve();
    }
    job
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
        const next = this.waiting;
        this.waiting = null;
        if (next && !this.stopped) this.start(next.key);
      });
  }
}
