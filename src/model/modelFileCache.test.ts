import { describe, expect, it } from 'vitest';
import { type FileCache, ModelFileCache, type ModelFiles } from './modelFileCache';

const BASE = 'https://linscope.test/app/models/';

class MapCache implements FileCache {
  readonly entries = new Map<string, string>();
  async match(key: string) {
    const v = this.entries.get(key);
    return v === undefined ? undefined : new Response(v);
  }
  async put(key: string, response: Response) {
    this.entries.set(key, await response.text());
  }
}

describe('ModelFileCache', () => {
  it('serves a registered folder under local/<name>/ by absolute or relative key', async () => {
    const cache = new ModelFileCache(BASE, null);
    const files: ModelFiles = new Map();
    files.set('config.json', '{"model_type":"gpt2"}');
    files.set('onnx/model.onnx', Uint8Array.of(1, 2, 3));
    const id = cache.register('My Model!', files);
    expect(id).toBe('local/My-Model-');
    expect(await (await cache.match(`${BASE}${id}/config.json`))?.text()).toBe('{"model_type":"gpt2"}');
    const onnx = await cache.match(`${id}/onnx/model.onnx`);
    expect(new Uint8Array(await onnx!.arrayBuffer())).toEqual(Uint8Array.of(1, 2, 3));
    expect(onnx!.headers.get('Content-Length')).toBe('3');
  });

  it('says which files a folder opened from disk holds, and leaves any other model to its server', () => {
    const cache = new ModelFileCache(BASE, null);
    const id = cache.register('old', new Map([['onnx/decoder_model_merged.onnx', Uint8Array.of(1)]]));
    // As transformers.js names a missing file: a path under the page's models.
    expect(cache.holds(`/app/models/${id}/onnx/decoder_model_merged.onnx`)).toBe(true);
    expect(cache.holds(`/app/models/${id}/onnx/model.onnx`)).toBe(false);
    expect(cache.holds('/app/models/local/never-opened/onnx/model.onnx')).toBe(false);
    expect(cache.holds('/app/models/linscope/tiny-gpt2/onnx/decoder_model_merged.onnx')).toBeUndefined();
  });

  it('falls back to the persistent cache, but never for a local id it does not hold', async () => {
    const persistent = new MapCache();
    persistent.entries.set('https://huggingface.co/gpt2/resolve/main/config.json', 'hub');
    persistent.entries.set(`${BASE}local/ghost/config.json`, 'stale');
    const cache = new ModelFileCache(BASE, persistent);
    expect(await (await cache.match('https://huggingface.co/gpt2/resolve/main/config.json'))?.text()).toBe(
      'hub',
    );
    expect(await cache.match(`${BASE}local/ghost/config.json`)).toBeUndefined();
  });

  it('replaces a folder registered again under the same name and keeps user files out of the persistent cache', async () => {
    const persistent = new MapCache();
    const cache = new ModelFileCache(BASE, persistent);
    cache.register(
      'm',
      new Map([
        ['a.json', '1'],
        ['b.json', '2'],
      ]),
    );
    const id = cache.register('m', new Map([['a.json', '3']]));
    expect(await (await cache.match(`${id}/a.json`))?.text()).toBe('3');
    expect(await cache.match(`${id}/b.json`)).toBeUndefined();
    await cache.put(`${BASE}${id}/a.json`, new Response('x'));
    expect(persistent.entries.size).toBe(0);
  });
});
