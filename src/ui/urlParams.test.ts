import { describe, expect, it } from 'vitest';
import { startParamsFromSearch } from './urlParams';

describe('startParamsFromSearch()', () => {
  it('reads model, prompt and run=1', () => {
    expect(startParamsFromSearch('?model=linscope%2Ftiny-gpt2&prompt=In%20the%20beginning&run=1')).toEqual({
      model: 'linscope/tiny-gpt2',
      prompt: 'In the beginning',
      run: true,
      refusedModel: null,
    });
  });

  it('treats anything but run=1/true as not running, and caps a huge prompt', () => {
    const long = 'a'.repeat(200_000);
    const p = startParamsFromSearch(`?prompt=${long}&run=yes`);
    expect(p.run).toBe(false);
    expect(p.prompt).toHaveLength(100_000);
    expect(startParamsFromSearch('')).toEqual({ model: null, prompt: null, run: false, refusedModel: null });
  });

  it('takes only a model id: a path, a URL or markup is refused, said, and starts nothing', () => {
    for (const asked of [
      '../../etc/passwd',
      'https://evil.example/model',
      '<img src=x onerror=alert(1)>',
      'a/b/c',
    ]) {
      const p = startParamsFromSearch(`?model=${encodeURIComponent(asked)}&run=1`);
      expect(p.model).toBeNull();
      expect(p.run).toBe(false);
      expect(p.refusedModel).toContain(`“${asked}”, which is not a model id`);
    }
    expect(startParamsFromSearch('?model=Xenova%2Fgpt2').refusedModel).toBeNull();
    // A run without a model is still a run of the chosen one.
    expect(startParamsFromSearch('?prompt=hi&run=1').run).toBe(true);
  });
});
