import { describe, expect, it } from 'vitest';
import { type CountKey, countView, LatestOnly, tokenCountLine } from './tokenCountState';

const count = (tokens: number) => ({ tokens, contextLength: 256, hidden: 128 });
const key = (text: string, corpus = false, modelId = 'linscope/tiny-gpt2'): CountKey => ({
  modelId,
  text,
  corpus,
});

describe('the token count line', () => {
  it('shows a count only while the box holds the text it was counted for', () => {
    const outcome = { key: key('one two'), count: count(3) };
    expect(countView(outcome, key('one two'))).toEqual({ kind: 'counted', count: count(3) });
    // Equal text made anew (a string built another way) is the same text.
    expect(countView(outcome, key(['one', 'two'].join(' ')))).toEqual({ kind: 'counted', count: count(3) });
    // Another text, the same text as a corpus, or another model: counting, never the old count.
    expect(countView(outcome, key('one two three'))).toEqual({ kind: 'counting' });
    expect(countView(outcome, key('one two', true))).toEqual({ kind: 'counting' });
    expect(countView(outcome, key('one two', false, 'Xenova/gpt2'))).toEqual({ kind: 'counting' });
    expect(countView(null, key('one two'))).toEqual({ kind: 'counting' });
  });

  it('says nothing where no count can be had, or the count failed', () => {
    expect(countView({ key: key('a'), count: count(1) }, null)).toEqual({ kind: 'none' });
    expect(countView({ key: key('a'), count: null }, key('a'))).toEqual({ kind: 'none' });
    expect(countView({ key: key('a'), count: null }, key('b'))).toEqual({ kind: 'counting' });
  });

  it('puts a newly uploaded file’s name beside “counting”, not beside the last text’s count', () => {
    const previous = { key: key('The example prompt.'), count: count(233) };
    const file = key('x'.repeat(1000));
    const line = tokenCountLine('big.txt', countView(previous, file), 256);
    expect(line).toBe('big.txt · counting tokens…');
    expect(line).not.toContain('233');
    expect(tokenCountLine('big.txt', countView({ key: file, count: count(4_000_000) }, file), 256)).toBe(
      'big.txt · 4,000,000 tokens · context 256 · longer than the 256-token window: runs in 15,625 windows',
    );
    expect(tokenCountLine(null, { kind: 'counting' }, 256)).toBe('Counting tokens…');
    expect(tokenCountLine(null, { kind: 'counted', count: count(12) }, 256)).toBe('12 tokens · context 256');
    expect(tokenCountLine('a.txt', { kind: 'none' }, 256)).toBe('a.txt');
    expect(tokenCountLine(null, { kind: 'none' }, 256)).toBe('');
  });
});

/** A job the test finishes by hand. */
function deferred() {
  let resolve = () => {};
  let reject = (_: unknown) => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A queue whose jobs wait until the test settles them: the keys it started, and their jobs. */
function recordingQueue() {
  const started: string[] = [];
  const jobs: ReturnType<typeof deferred>[] = [];
  const queue = new LatestOnly<string>((k) => {
    started.push(k);
    const job = deferred();
    jobs.push(job);
    return job.promise;
  });
  return { queue, started, jobs };
}

describe('LatestOnly: one count at a time, only the latest text waits', () => {
  it('runs keys one at a time and never runs a key passed over', async () => {
    const { queue, started, jobs } = recordingQueue();
    queue.want('a');
    queue.want('ab');
    queue.want('abc');
    queue.want('abcd');
    expect(started).toEqual(['a']);
    jobs[0].resolve();
    await settle();
    expect(started).toEqual(['a', 'abcd']);
    jobs[1].resolve();
    await settle();
    // Nothing runs now: the next key starts at once.
    queue.want('abcde');
    expect(started).toEqual(['a', 'abcd', 'abcde']);
  });

  it('goes on after a job that failed, and runs nothing more once stopped', async () => {
    const { queue, started, jobs } = recordingQueue();
    queue.want('a');
    queue.want('b');
    jobs[0].reject(new Error('worker replaced'));
    await settle();
    expect(started).toEqual(['a', 'b']);
    queue.want('c');
    queue.stop();
    jobs[1].resolve();
    await settle();
    queue.want('d');
    expect(started).toEqual(['a', 'b']);
  });
});
