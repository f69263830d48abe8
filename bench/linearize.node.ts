/**
 * The block-replacement sweep's speed in Node (what `linscope linearize --sweep` does): every block
 * linearized alone and skipped alone, and the cumulative curve, on a 256-token text, maps from the
 * bundled reference corpus. The maps are fitted in a first run (timed as "first"); the second run
 * finds them cached and times the sweep itself. On the embedded model, and on the GPT-2-small-shaped
 * benchmark model unless --quick.
 *
 *   node --import tsx bench/linearize.node.ts [--quick] [--tokens 256] [--out FILE]
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { installAnalysisCores } from '../cli/analysisCores';
import { splitCorpus } from '../src/job/corpus';
import { runLinearizeJob } from '../src/job/linearize';
import { DEFAULT_SETTINGS } from '../src/job/settings';
import { nodeRuntime } from '../src/model/nodeRuntime';
import { BENCH_MODEL_DIR, type Figure, figure, log, ROOT, requireBenchModel, writeFigures } from './lib';
import { textOfTokens } from './texts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    tokens: { type: 'string', default: '256' },
    out: { type: 'string' },
  },
});

const TINY_DIR = join(ROOT, 'public', 'models', 'linscope', 'tiny-gpt2');

async function sweepFigures(modelDir: string, key: string, label: string): Promise<Figure[]> {
  const T = Number(values.tokens);
  const rt = await nodeRuntime();
  const text = await textOfTokens(modelDir, T);
  const { env } = rt.transformers;
  env.localModelPath = `${dirname(modelDir)}/`;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  const corpusPath = join(ROOT, 'public', 'corpus', 'reference-en.txt');
  const job = {
    model: { id: basename(modelDir), dtype: 'fp32' as const, device: 'cpu' as const },
    texts: [text],
    settings: DEFAULT_SETTINGS,
    reference: {
      source: 'bundled' as const,
      name: 'reference-en.txt',
      texts: splitCorpus(readFileSync(corpusPath, 'utf8'), corpusPath),
    },
    maps: 'reference' as const,
    runs: [],
    sweep: true,
    continuation: 0,
  };
  const cores = installAnalysisCores(null, 'native');
  let runs = 0;
  const timed = async () => {
    const t0 = performance.now();
    const result = await runLinearizeJob(rt, job, {
      pairWorkers: cores.pairWorkers,
      onProgress: (p) => {
        if (p.stage === 'replace') runs = p.total;
      },
    });
    return { ms: performance.now() - t0, result };
  };
  const first = await timed();
  const again = await timed();
  const L = first.result.sweep?.blocks.length ?? 0;
  const note = `${T} tokens, ${L} blocks, ${runs} model runs (original + ${runs - 1} variants), onnxruntime-node CPU`;
  log(
    `linearize ${key}: first ${first.ms.toFixed(0)} ms (with the reference fit), sweep ${again.ms.toFixed(0)} ms`,
  );
  return [
    figure(`linearize.node.${key}.sweep`, `Sweep, Node, ${label} (maps cached)`, 'ms', [again.ms], { note }),
    figure(
      `linearize.node.${key}.first`,
      `Sweep, Node, ${label}, first (reference fit included)`,
      'ms',
      [first.ms],
      {
        note,
      },
    ),
  ];
}

async function main(): Promise<void> {
  const figures = await sweepFigures(TINY_DIR, 'tiny', 'embedded model');
  if (!values.quick) {
    requireBenchModel();
    figures.push(...(await sweepFigures(BENCH_MODEL_DIR, 'gpt2', 'GPT-2-small-shaped')));
  }
  writeFigures(figures);
}

await main();
