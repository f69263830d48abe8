/**
 * Node end to end and peak memory: what `linscope analyze bench/models/gpt2-small-random` does
 * (runAnalyzeJob with onnxruntime-node and the bundled reference corpus) on a 1024-token text, in a
 * fresh process, timed per phase; the peak resident set (getrusage maxRSS) is set beside the sizes
 * of the weights, the hidden states and the logits.
 *
 *   node --import tsx bench/memory.node.ts [--tokens 1024] [--out FILE]
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { installAnalysisCores } from '../cli/analysisCores';
import { runAnalyzeJob } from '../src/job/analyze';
import { splitCorpus } from '../src/job/corpus';
import type { JobProgress } from '../src/job/progress';
import { DEFAULT_SETTINGS } from '../src/job/settings';
import { nodeRuntime } from '../src/model/nodeRuntime';
import {
  BENCH_MODEL_DIR,
  BENCH_MODEL_FILE,
  type Figure,
  figure,
  log,
  mb,
  ROOT,
  requireBenchModel,
  writeFigures,
} from './lib';
import { textOfTokens } from './texts';

const { values } = parseArgs({
  options: { tokens: { type: 'string', default: '1024' }, out: { type: 'string' } },
});

function phaseOf(p: JobProgress): string {
  if (p.stage === 'download' || p.stage === 'augment' || p.stage === 'ready') return 'load';
  if (p.stage === 'forward') return `forward (${p.of === 'input' ? 'text' : 'reference'})`;
  return p.stage;
}

async function main(): Promise<void> {
  requireBenchModel();
  const T = Number(values.tokens);
  const rssBefore = process.memoryUsage().rss;
  // First: transformers.js must be imported after LinScope's runtime is installed for it.
  const rt = await nodeRuntime();
  const text = await textOfTokens(BENCH_MODEL_DIR, T);
  const { env } = rt.transformers;
  env.localModelPath = `${dirname(BENCH_MODEL_DIR)}/`;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  const corpusPath = join(ROOT, 'public', 'corpus', 'reference-en.txt');
  const marks: { t: number; phase: string }[] = [];
  const t0 = performance.now();
  let peakSampled = 0;
  // Sampled too, for a figure that does not depend on getrusage; the job blocks the loop at times,
  // so maxRSS below is the one reported.
  const sampler = setInterval(() => {
    peakSampled = Math.max(peakSampled, process.memoryUsage().rss);
  }, 50);
  const cores = installAnalysisCores(null, 'native');
  if (cores.fallback) log(`node e2e: native products unavailable (${cores.fallback})`);
  log(`node e2e: runAnalyzeJob on ${basename(BENCH_MODEL_DIR)}, ${T} tokens, bundled reference`);
  const output = await runAnalyzeJob(
    rt,
    {
      model: { id: basename(BENCH_MODEL_DIR), dtype: 'fp32', device: 'cpu' },
      texts: [text],
      settings: { ...DEFAULT_SETTINGS },
      reference: {
        source: 'bundled',
        name: 'reference-en.txt',
        texts: splitCorpus(readFileSync(corpusPath, 'utf8'), corpusPath),
      },
    },
    {
      // As the CLI runs it: native products on every core.
      pairWorkers: cores.pairWorkers,
      onProgress: (p) => {
        const phase = phaseOf(p);
        if (marks.at(-1)?.phase !== phase) marks.push({ t: performance.now() - t0, phase });
      },
    },
  );
  const total = performance.now() - t0;
  clearInterval(sampler);
  const peak = process.resourceUsage().maxRSS * 1024;
  const phases: Record<string, number> = {};
  marks.forEach((m, i) => {
    phases[m.phase] = (phases[m.phase] ?? 0) + (i + 1 < marks.length ? marks[i + 1].t : total) - m.t;
  });
  const { states, head, tail } = output;
  const weights = statSync(BENCH_MODEL_FILE).size;
  const stateBytes = states.data.byteLength;
  const refTokens = tail.perToken?.reference.tokens ?? 0;
  const refBytes = states.states * refTokens * states.hidden * 4;
  const logitBytes = states.tokens * (head.model.vocab ?? 0) * 4;
  const note =
    `weights ${mb(weights).toFixed(0)} MB + hidden states ${mb(stateBytes).toFixed(0)} MB ` +
    `(+ reference states ${mb(refBytes).toFixed(0)} MB for ${refTokens} tokens, logits ${mb(logitBytes).toFixed(0)} MB)`;
  log(
    `  peak RSS ${mb(peak).toFixed(0)} MB (sampled ${mb(peakSampled).toFixed(0)} MB, ${mb(rssBefore).toFixed(0)} MB at start); ${note}`,
  );
  const figures: Figure[] = [
    figure('memory.node.gpt2', `Memory, Node peak RSS, GPT-2-small-shaped, T=${T}`, 'MB', [mb(peak)], {
      note,
    }),
    figure('memory.node.gpt2.payload', 'Memory, weights + hidden states (T=1024)', 'MB', [
      mb(weights + stateBytes),
    ]),
    figure(
      'e2e.node.gpt2.T1024.first',
      `E2E Node (CLI job), GPT-2-small-shaped, ${T} tokens, first run`,
      'ms',
      [total],
      {
        note: 'model load, reference fit, analysis',
      },
    ),
    ...Object.entries(phases).map(([phase, ms]) =>
      figure(`e2e.node.gpt2.T1024.first.share.${phase}`, `  share: ${phase}`, 'share', [ms / total]),
    ),
  ];
  writeFigures(figures);
}

await main();
