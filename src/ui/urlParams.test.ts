import { describe, expect, it } from 'vitest';
import { startParamsFromSearch } from './urlParams';

describe('startParamsFromSearch()', () => {
  it('reads model, prompt and run=1', () => {
    expect(startParamsFromSearch('?model=linscope%2Ftiny-gpt2&prompt=In%20the%20beginning&run=1')).toEqual({
      model: 'linscope/tiny-gpt2',
      prompt: 'In the beginning',
      run: true,
    });
  });

  it('treats anything but run=1/true as not running, and caps a huge prompt', () => {
    const long = 'a'.repeat(200_000);
    const p = startParamsFromSearch(`?prompt=${long}&run=yes`);
    expect(p.run).toBe(false);
    expect(p.prompt).toHaveLength(100_000);
    expect(startParamsFromSearch('')).toEqual({ model: null, prompt: null, run: false });
  });
});
