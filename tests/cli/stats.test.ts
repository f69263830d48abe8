/**
 * `linscope stats` and `linscope reduce` as a user runs them: the moments of k shards reduced equal
 * `analyze` on all their tokens (k = 1..4); shards too small to score merge into a score; stats files
 * of another model, truncated, edited or from a newer LinScope are refused with a one-line reason.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinScopeResult } from '../../src/job/result';
import { readSafetensors, writeSafetensors } from '../../src/share/safetensors';
import { linscope } from '../support/cli';
import { PUBLIC_MODELS, ROOT } from '../support/models';

const MODEL = join(PUBLIC_MODELS, 'fixtures/tiny-random-gpt2');
const OTHER = join(PUBLIC_MODELS, 'fixtures/tiny-random-llama');

/** Documents of the bundled corpus, cut small: the fixture's context is 128 tokens. */
const DOCS = readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8')
  .split('\n\n')
  .slice(0, 12)
  .map((d) => d.slice(0, 400));

describe('linscope stats and reduce', () => {
  let work: string;
  const file = (name: string) => join(work, name);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'linscope-stats-'));
    writeFileSync(file('all.txt'), DOCS.join('\n\n'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const statsOf = (docs: readonly string[], name: string, model = MODEL) => {
    writeFileSync(file(`${name}.txt`), docs.join('\n\n'));
    const r = linscope(
      'stats',
      '--model',
      model,
      '--input',
      file(`${name}.txt`),
      '--corpus',
      '--out',
      file(`${name}.safetensors`),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return file(`${name}.safetensors`);
  };
  const reduce = (...parts: string[]) => {
    const r = linscope('reduce', ...parts, '--out', file('reduced.json'));
    return {
      ...r,
      result:
        r.status === 0 ? (JSON.parse(readFileSync(file('reduced.json'), 'utf8')) as LinScopeResult) : null,
    };
  };

  it('reduces k = 1..4 shards to the scores analyze gives on all their tokens, within 1e-9', () => {
    const r = linscope(
      'analyze',
      '--model',
      MODEL,
      '--input',
      file('all.txt'),
      '--corpus',
      '--no-reference',
      '--out',
      file('whole.json'),
    );
    expect(r.status).toBe(0);
    const whole = JSON.parse(readFileSync(file('whole.json'), 'utf8')) as LinScopeResult;
    for (const k of [1, 2, 3, 4]) {
      const parts = Array.from({ length: k }, (_, i) =>
        statsOf(
          DOCS.filter((_, j) => j % k === i),
          `k${k}-${i}`,
        ),
      );
      const { status, stderr, result } = reduce(...parts);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(result?.statistics).toMatchObject({
        shards: k,
        documents: DOCS.length,
        tokens: whole.layers[0].n,
      });
      expect(result?.tokens).toEqual([]);
      expect(result?.perToken).toBeNull();
      result?.layers.forEach((layer, l) => {
        const w = whole.layers[l];
        expect([layer.n, layer.d, layer.rank]).toEqual([w.n, w.d, w.rank]);
        expect(Math.abs((layer.linearity ?? Number.NaN) - (w.linearity ?? Number.NaN))).toBeLessThan(1e-9);
        expect(
          Math.abs((layer.linearityNoResidual ?? Number.NaN) - (w.linearityNoResidual ?? Number.NaN)),
        ).toBeLessThan(1e-9);
        expect(Math.abs((layer.chanceFloor ?? Number.NaN) - (w.chanceFloor ?? Number.NaN))).toBeLessThan(
          1e-15,
        );
      });
    }
  });

  it('merges shards that are too small to score on their own into a score', () => {
    const tiny = statsOf(['In the beginning God created the heaven and the earth.'], 'tiny');
    const alone = reduce(tiny);
    expect(alone.status).toBe(0);
    expect(alone.result?.layers[0]).toMatchObject({ linearity: null, chanceFloor: null });
    expect(alone.result?.layers[0].reason).toMatch(/n <= d/);
    const rest = statsOf(DOCS, 'rest');
    const merged = reduce(tiny, rest);
    expect(merged.result?.layers[0].linearity).toBeGreaterThan(0);
    expect(merged.result?.layers[0].n).toBe(
      (alone.result?.layers[0].n ?? 0) + (reduce(rest).result?.layers[0].n ?? 0),
    );
  });

  it('refuses stats of another model, and damaged or newer files, with one line saying why', () => {
    const ours = statsOf(DOCS.slice(0, 3), 'ours');
    const other = statsOf(DOCS.slice(0, 3), 'other', OTHER);
    const mixed = reduce(ours, other);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(
      /other\.safetensors cannot be merged with ours\.safetensors: they are of different models/,
    );
    expect(mixed.stderr.trim().split('\n')).toHaveLength(1);

    const bytes = readFileSync(ours);
    writeFileSync(file('truncated.safetensors'), bytes.subarray(0, bytes.length - 100));
    expect(reduce(file('truncated.safetensors')).stderr).toMatch(
      /truncated\.safetensors is not a LinScope stats file/,
    );

    const parsed = readSafetensors(bytes);
    const meta = JSON.parse(parsed.metadata.linscope);
    const rewrite = (name: string, metadata: object, drop?: string) => {
      const tensors = new Map([...parsed.tensors].filter(([key]) => key !== drop));
      writeFileSync(file(name), writeSafetensors(tensors, { linscope: JSON.stringify(metadata) }));
      return file(name);
    };
    expect(reduce(rewrite('newer.safetensors', { ...meta, schema: 'linscope.stats/v2' })).stderr).toMatch(
      /is a linscope\.stats\/v2 file; this LinScope reads linscope\.stats\/v1/,
    );
    expect(reduce(rewrite('missing.safetensors', meta, 'cross.1')).stderr).toMatch(/it has no cross\.1/);
    expect(
      reduce(rewrite('layers.safetensors', { ...meta, model: { ...meta.model, layers: 3 } })).stderr,
    ).toMatch(/it has no mean\.3/);
    expect(reduce(file('nothing.safetensors')).stderr).toMatch(/does not exist/);
    // No tokens counted, moments left in: edited by hand or damaged.
    const zeroCount = new Map(parsed.tensors);
    zeroCount.set('count', { dtype: 'I64', shape: [1], data: BigInt64Array.of(0n) });
    writeFileSync(file('zero.safetensors'), writeSafetensors(zeroCount, parsed.metadata));
    expect(reduce(file('zero.safetensors')).stderr).toMatch(
      /it counts 0 tokens but its moments are not zero/,
    );
    for (const name of ['truncated', 'newer', 'missing', 'layers', 'nothing', 'zero'])
      expect(reduce(file(`${name}.safetensors`)).status).toBe(2);
  });
});
