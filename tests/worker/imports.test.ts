/**
 * Opening files in the page, through the worker's message loop in-process (as serve.test.ts does):
 * stats files reduce to exactly what `linscope reduce` writes, hidden states from elsewhere give the
 * numbers an independent numpy computation gives (tools/import_fixtures.py), and bad files are
 * answered with an error event that says what is wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleResult, type LinScopeResult, type ResultHead, type ResultTail } from '../../src/job/result';
import { DEFAULT_SETTINGS } from '../../src/job/settings';
import { createHandlers } from '../../src/worker/handlers';
import type { WorkerEvent, WorkerRequest } from '../../src/worker/protocol';
import { serveRequests } from '../../src/worker/serve';
import { linscope } from '../support/cli';
import { ROOT } from '../support/models';
import { nodeWorkerHost } from './nodeHost';

const FIXTURES = join(ROOT, 'tests/fixtures');
const STATS = [
  join(FIXTURES, 'stats/tiny-random-gpt2.recipe.safetensors'),
  join(FIXTURES, 'imports/shard-a.safetensors'),
  join(FIXTURES, 'imports/shard-b.safetensors'),
];

interface ExpectedLayer {
  pair: [number, number];
  n: number;
  d: number;
  linearity: number | null;
  linearityNoResidual: number | null;
  chanceFloor: number | null;
  heldOut?: { linearity: number; linearityNoResidual: number; n: number; nFit: number };
}
const expectedStates = JSON.parse(readFileSync(join(FIXTURES, 'imports/expected-states.json'), 'utf8')) as {
  ids: number[];
  layers: ExpectedLayer[];
  perToken: { nonlinearity: number[][]; flash: number[][]; flashThreshold: number[] };
};
const expectedStats = JSON.parse(readFileSync(join(FIXTURES, 'imports/expected-stats.json'), 'utf8')) as {
  layers: ExpectedLayer[];
};

/** A file as the page hands it over: a Blob with its name. */
const chosen = (path: string, name = path.split('/').pop() ?? path) => ({
  name,
  file: new Blob([readFileSync(path)]),
});

function inProcessWorker() {
  const posted: WorkerEvent[] = [];
  const serve = serveRequests(createHandlers(nodeWorkerHost()), (event, transfer) => {
    posted.push(structuredClone(event, { transfer }));
  });
  let nextId = 1;
  return async (files: { name: string; file: Blob }[]) => {
    const id = nextId++;
    await serve({ type: 'import', id, request: { files, settings: DEFAULT_SETTINGS } } as WorkerRequest);
    const events = posted.filter((e) => e.id === id);
    const last = events[events.length - 1];
    if (last.type === 'error') return { events, error: last.error.message, result: null, notes: [] };
    if (last.type !== 'imported') throw new Error(`unexpected ${last.type}`);
    const started = events.find((e) => e.type === 'started') as { head: ResultHead } | undefined;
    if (!started) throw new Error('no started event');
    const result: LinScopeResult = assembleResult(started.head, last.tail as ResultTail);
    return { events, error: null, result, notes: last.notes };
  };
}

function expectLayers(actual: LinScopeResult['layers'], expected: ExpectedLayer[], tolerance: number) {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, l) => {
    const a = actual[l];
    expect(a.pair).toEqual(e.pair);
    expect([a.n, a.d]).toEqual([e.n, e.d]);
    for (const key of ['linearity', 'linearityNoResidual', 'chanceFloor'] as const)
      expect(Math.abs((a[key] ?? Number.NaN) - (e[key] ?? Number.NaN))).toBeLessThan(tolerance);
  });
}

describe('opening files in the page (worker, in-process)', () => {
  const open = inProcessWorker();

  it('reduces stats shards to what linscope reduce writes, within 1e-12, and to numpy on all their tokens', async () => {
    const cli = linscope('reduce', ...STATS);
    expect(cli.stderr).toBe('');
    const reduced = JSON.parse(cli.stdout) as LinScopeResult;
    const page = await open(STATS.map((p) => chosen(p)));
    expect(page.error).toBeNull();
    const result = page.result as LinScopeResult;
    expect(result.statistics).toEqual(reduced.statistics);
    expect(result.model).toEqual(reduced.model);
    expect(result.tokens).toEqual([]);
    expect(result.perToken).toBeNull();
    result.layers.forEach((layer, l) => {
      const cliLayer = reduced.layers[l];
      expect({ ...layer, linearity: 0, linearityNoResidual: 0, chanceFloor: 0 }).toEqual({
        ...cliLayer,
        linearity: 0,
        linearityNoResidual: 0,
        chanceFloor: 0,
      });
      for (const key of ['linearity', 'linearityNoResidual', 'chanceFloor'] as const)
        expect(Math.abs((layer[key] ?? Number.NaN) - (cliLayer[key] ?? Number.NaN))).toBeLessThan(1e-12);
    });
    expect(page.notes.join(' ')).toMatch(/Stats hold sums over tokens, not per-token values/);

    // The two shards of tools/import_fixtures.py are all 946 tokens of its states: numpy's lstsq on them.
    const halves = await open(STATS.slice(1).map((p) => chosen(p)));
    expect(halves.result?.statistics?.tokens).toBe(946);
    expectLayers(halves.result?.layers ?? [], expectedStats.layers, 1e-9);
  });

  it('analyses a .npy with its token list as numpy does: scores, held-out split, per-token values in sample', async () => {
    const page = await open([
      chosen(join(FIXTURES, 'imports/states.npy')),
      chosen(join(FIXTURES, 'imports/tokens.json')),
    ]);
    expect(page.error).toBeNull();
    const result = page.result as LinScopeResult;
    expect(page.events.filter((e) => e.type === 'pair')).toHaveLength(2);
    expect(result.model).toMatchObject({ id: 'imported/states', layers: 2, hidden: 64, dtype: 'F32' });
    expect(result.tokens).toHaveLength(200);
    expect(result.tokens[1].text).toBe('nd');
    expectLayers(result.layers, expectedStates.layers, 1e-9);
    result.layers.forEach((layer, l) => {
      const e = expectedStates.layers[l].heldOut;
      expect(layer.heldOut).toMatchObject({ source: 'split', n: e?.n, nFit: e?.nFit });
      expect(Math.abs((layer.heldOut?.linearity ?? 0) - (e?.linearity ?? 1))).toBeLessThan(1e-9);
      expect(
        Math.abs((layer.heldOut?.linearityNoResidual ?? 0) - (e?.linearityNoResidual ?? 1)),
      ).toBeLessThan(1e-9);
    });
    const perToken = result.perToken;
    expect(perToken?.reference).toEqual({
      source: 'user',
      name: 'states.npy itself (in sample)',
      tokens: 200,
      quantile: 0.99,
    });
    expectedStates.perToken.nonlinearity.forEach((row, l) => {
      const actual = perToken?.nonlinearity[l] ?? [];
      expect(actual).toHaveLength(200);
      const worst = Math.max(...row.map((v, t) => Math.abs((actual[t] ?? Number.NaN) - v) / Math.max(1, v)));
      expect(worst).toBeLessThan(1e-7);
      expect(
        Math.abs((perToken?.flashThreshold[l] ?? 0) - expectedStates.perToken.flashThreshold[l]),
      ).toBeLessThan(1e-7);
      expect(perToken?.flash[l]).toEqual(expectedStates.perToken.flash[l]);
    });
    expect(page.notes.join(' ')).toMatch(/maps fitted on these same tokens \(in sample/);
  });

  it('gives the same numbers for the safetensors convention (F64 states, ids, token strings in the metadata)', async () => {
    const page = await open([chosen(join(FIXTURES, 'imports/states.safetensors'))]);
    expect(page.error).toBeNull();
    expect(page.result?.model.id).toBe('fixtures/tiny-random-gpt2');
    expect(page.result?.tokens[1]).toEqual({ id: expectedStates.ids[1], text: 'nd', doc: 0 });
    expectLayers(page.result?.layers ?? [], expectedStates.layers, 1e-9);
  });

  it('refuses truncated stats, stats of different models, and a bad .npy with what was wrong', async () => {
    const bytes = readFileSync(STATS[1]);
    const truncated = {
      name: 'part-2.safetensors',
      file: new Blob([bytes.subarray(0, bytes.length - 1000)]),
    };
    const cut = await open([chosen(STATS[0]), truncated]);
    expect(cut.error).toMatch(
      /part-2\.safetensors is not a LinScope stats file \(linscope\.stats\/v1\): .*the file is truncated/,
    );

    const mixed = await open([chosen(STATS[1]), chosen(join(FIXTURES, 'imports/other-model.safetensors'))]);
    expect(mixed.error).toMatch(
      /other-model\.safetensors cannot be merged with shard-a\.safetensors: they are of different models \(id "fixtures\/tiny-random-gpt2" vs "fixtures\/tiny-random-llama"\)/,
    );

    const withStates = await open([chosen(STATS[1]), chosen(join(FIXTURES, 'imports/states.npy'))]);
    expect(withStates.error).toMatch(/states\.npy cannot be opened with stats files/);

    const notNpy = { name: 'bad.npy', file: new Blob(['this is text, not an array']) };
    expect((await open([notNpy])).error).toMatch(
      /bad\.npy: it is not a \.npy array LinScope reads: it does not start with the \.npy magic bytes/,
    );

    const short = await open([
      chosen(join(FIXTURES, 'imports/states.npy')),
      { name: 't.txt', file: new Blob(['a\nb\n']) },
    ]);
    expect(short.error).toMatch(/t\.txt: the token list has 2 tokens, but the states have T = 200/);

    const other = await open([{ name: 'notes.docx', file: new Blob(['x']) }]);
    expect(other.error).toMatch(
      /notes\.docx: LinScope opens \.linscope\.json files, stats files and hidden states/,
    );
  });
});
