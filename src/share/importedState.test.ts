import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleResult } from '../job/result';
import { DEFAULT_SETTINGS } from '../job/settings';
import { importFiles } from './fileImport';
import { importedShareState } from './importedState';
import { linscopeFileText, parseLinScopeFile } from './linscopeFile';
import { decodePermalink, encodePermalink } from './permalink';
import { parseShareState, shareStateJson } from './permalinkState';

const IMPORTS = join(__dirname, '../../tests/fixtures/imports');
const fixture = (name: string) => ({ name, bytes: new Uint8Array(readFileSync(join(IMPORTS, name))) });

describe('the state shown with an opened file', () => {
  it('names the model as one from disk, says that stats have no text, and parses as a shared state', async () => {
    const stats = await importFiles(
      [fixture('shard-a.safetensors'), fixture('shard-b.safetensors')],
      DEFAULT_SETTINGS,
    );
    const state = importedShareState(assembleResult(stats.head, stats.tail));
    expect(state.model).toEqual({ id: 'local/tiny-random-gpt2', revision: 'main', dtype: 'fp32' });
    expect(state.reference).toEqual({ kind: 'none' });
    expect(state.input.text).toBe(
      '(No text: per-layer scores of fixtures/tiny-random-gpt2 from 2 stats files, 946 tokens.)',
    );
    // What a link or a .linscope.json of it would carry opens again.
    const parsed = parseShareState(shareStateJson(state));
    expect(parsed.ok && parsed.state).toEqual(state);
  });

  it('keeps the tokens as the text and the in-sample maps as the reference of hidden states', async () => {
    const opened = await importFiles([fixture('states.npy'), fixture('tokens.json')], DEFAULT_SETTINGS);
    const result = assembleResult(opened.head, opened.tail);
    const state = importedShareState(result);
    expect(state.model.id).toBe('local/states');
    expect(state.reference).toEqual({ kind: 'user', name: 'states.npy itself (in sample)' });
    const tokens = JSON.parse(readFileSync(join(IMPORTS, 'tokens.json'), 'utf8')) as string[];
    expect(state.input.text).toBe(tokens.join(''));
    expect(opened.notes[0]).toBe('Hidden states from states.npy: 2 layers, 200 tokens, d = 64 (F32).');
  });

  it('travels in a link and a .linscope.json like any result', async () => {
    for (const names of [
      ['shard-a.safetensors', 'shard-b.safetensors'],
      ['states.npy', 'tokens.json'],
    ]) {
      const opened = await importFiles(names.map(fixture), DEFAULT_SETTINGS);
      const result = assembleResult(opened.head, opened.tail);
      const state = importedShareState(result);
      const link = decodePermalink(encodePermalink(state, result, { baseLength: 30 }).fragment);
      expect(link.ok && link.result?.layers.map((l) => l.n)).toEqual(result.layers.map((l) => l.n));
      const file = parseLinScopeFile(linscopeFileText(state, result));
      expect(file.ok && file.result.layers).toEqual(result.layers);
      expect(file.ok && file.result.perToken?.nonlinearity.length).toBe(result.perToken?.nonlinearity.length);
    }
  });
});
