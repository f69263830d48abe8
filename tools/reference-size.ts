/**
 * How the per-token values and held-out scores move with the reference's size: for the embedded
 * model (public/models/linscope/tiny-gpt2, d = 128) and stories260K (converted from
 * ../shared/models/stories260K as the tests do, d = 64), maps fitted on n = 2d, 4d, 8d, 16d, 32d and
 * 64d tokens of the model's own bundled reference (seeded chunks, seeds 1-3), scored on held-out text
 * of the reference's domain (tests/fixtures/reference/). Prints one table (docs/analysis.md,
 * "How many reference tokens").
 *
 *   node --import tsx tools/reference-size.ts [--seeds 1,2,3] [--multiples 2,4,8,16,32,64]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeLayers } from '../src/analysis';
import { splitCorpus } from '../src/job/corpus';
import { MemoryFitStore } from '../src/job/fitStore';
import { runForwardWindows } from '../src/job/forwardWindows';
import { loadModel } from '../src/job/modelCache';
import { referenceFit, referenceTokens } from '../src/job/referenceFit';
import { DEFAULT_REFERENCE_SAMPLING } from '../src/job/referenceSample';
import { DEFAULT_SETTINGS } from '../src/job/settings';
import { bundledReferenceFile } from '../src/model/catalog';
import { nodeRuntime } from '../src/model/nodeRuntime';
import { convertStories260K, PUBLIC_MODELS, ROOT, STORIES_ID } from '../tests/support/models';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return (at >= 0 ? process.argv[at + 1] : fallback).split(',').map(Number);
};
const SEEDS = arg('--seeds', '1,2,3');
const MULTIPLES = arg('--multiples', '2,4,8,16,32,64');

const CASES = [
  { id: 'linscope/tiny-gpt2', heldOut: 'tests/fixtures/reference/heldout-kjv-jargon.txt', window: 256 },
  { id: STORIES_ID, heldOut: 'tests/fixtures/reference/heldout-stories.txt', window: 512 },
];

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const range = (xs: number[], digits: number, scale = 1) =>
  `${(Math.min(...xs) * scale).toFixed(digits)}-${(Math.max(...xs) * scale).toFixed(digits)}`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Pearson correlation of two equally long series. */
function correlation(a: number[], b: number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

interface Row {
  multiple: number;
  n: number;
  seconds: number;
  /** Per seed: mean over pairs. */
  heldOut: number[];
  heldOutNoResidual: number[];
  /** Per seed and pair. */
  flashRate: number[];
  checkRate: number[];
  medianValue: number[];
  /** Per seed: log per-token values, every pair and token, for the correlation with the largest n. */
  logValues: number[][];
}

async function main() {
  const rt = await nodeRuntime();
  rt.transformers.env.allowLocalModels = true;
  rt.transformers.env.allowRemoteModels = false;
  const stories = await convertStories260K();
  const lines: string[] = [];
  try {
    for (const c of CASES) {
      rt.transformers.env.localModelPath = `${c.id === STORIES_ID ? stories.root : PUBLIC_MODELS}/`;
      const model = await loadModel(rt, { id: c.id, dtype: 'fp32', device: 'cpu' });
      const d = model.config.hidden ?? 0;
      const file = bundledReferenceFile(c.id);
      const reference = {
        source: 'bundled' as const,
        name: file,
        texts: splitCorpus(readFileSync(join(ROOT, 'public/corpus', file), 'utf8'), file),
      };
      const heldOutTexts = splitCorpus(readFileSync(join(ROOT, c.heldOut), 'utf8'), c.heldOut);
      const text = await runForwardWindows(model, heldOutTexts, c.window, 'input', {});
      const rows: Row[] = [];
      for (const multiple of MULTIPLES) {
        const row: Row = {
          multiple,
          n: 0,
          seconds: 0,
          heldOut: [],
          heldOutNoResidual: [],
          flashRate: [],
          checkRate: [],
          medianValue: [],
          logValues: [],
        };
        for (const seed of SEEDS) {
          const t0 = performance.now();
          const fitted = await referenceFit(model, reference, DEFAULT_SETTINGS, c.window, {
            sampling: { rule: DEFAULT_REFERENCE_SAMPLING.rule, seed },
            tokens: multiple * d,
            fitStore: new MemoryFitStore(),
          });
          row.seconds += (performance.now() - t0) / 1000 / SEEDS.length;
          row.n = fitted.fit.n;
          const scored = analyzeLayers(text.states, {
            reference: fitted.fit,
            inSample: false,
            companions: false,
          });
          const pairs = scored.layers.map((p) => p.heldOut);
          row.heldOut.push(mean(pairs.map((h) => h?.linearity ?? Number.NaN)));
          row.heldOutNoResidual.push(mean(pairs.map((h) => h?.linearityNoResidual ?? Number.NaN)));
          const perToken = scored.perToken;
          if (!perToken) throw new Error('no per-token values');
          for (const f of perToken.flash) row.flashRate.push(f.reduce((s, v) => s + v, 0) / f.length);
          for (const r of fitted.heldOutFlashRate) if (r !== null) row.checkRate.push(r);
          const values = perToken.relative.flatMap((r) => Array.from(r));
          row.medianValue.push(median(values));
          row.logValues.push(values.map((v) => Math.log(v)));
        }
        rows.push(row);
        process.stderr.write(`${c.id} n = ${multiple}d done\n`);
      }
      const largest = rows[rows.length - 1];
      lines.push(
        '',
        `${c.id} (d = ${d}, ${text.states.tokens} held-out tokens of ${c.heldOut}; reference ${file}; seeds ${SEEDS.join(', ')}; default n = ${referenceTokens(d)})`,
        '',
        '| n | tokens | held-out linearity (mean of pairs) | without residual | flash rate on held-out text, per pair (nominal 1%) | fit check, per pair | median per-token value | corr. of log per-token values with n = ' +
          `${largest.multiple}d | fit time (s) |`,
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      );
      for (const row of rows) {
        const corr = row.logValues.map((v, i) => correlation(v, largest.logValues[i]));
        lines.push(
          `| ${row.multiple}d | ${row.n} | ${mean(row.heldOut).toFixed(4)} (${range(row.heldOut, 4)}) | ${mean(row.heldOutNoResidual).toFixed(3)} (${range(row.heldOutNoResidual, 3)}) | ${(mean(row.flashRate) * 100).toFixed(2)}% (${range(row.flashRate, 1, 100)}%) | ${(mean(row.checkRate) * 100).toFixed(2)}% (${range(row.checkRate, 1, 100)}%) | ${mean(row.medianValue).toFixed(3)} (${range(row.medianValue, 3)}) | ${mean(corr).toFixed(3)} | ${row.seconds.toFixed(1)} |`,
        );
      }
    }
  } finally {
    await stories.cleanup();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
