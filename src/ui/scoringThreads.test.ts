import { describe, expect, it } from 'vitest';
import { scoringThreadsFromSearch } from './scoringThreads';

describe('scoringThreadsFromSearch()', () => {
  it('scoringThreadsFromSearch reads ?threads=1..64 and ignores anything else', () => {
    expect(scoringThreadsFromSearch('?threads=2')).toBe(2);
    expect(scoringThreadsFromSearch('?model=x&threads=1')).toBe(1);
    expect(scoringThreadsFromSearch('?threads=64')).toBe(64);
    for (const bad of [
      '',
      '?threads=',
      '?threads=0',
      '?threads=65',
      '?threads=-2',
      '?threads=2.5',
      '?threads=abc',
    ])
      expect(scoringThreadsFromSearch(bad)).toBeUndefined();
  });
});
