/**
 * Node end to end and peak memory: what `linscope analyze bench/models/gpt2-small-random` does
 * (runAnalyzeJob with onnxruntime-node and the bundled reference corpus) on a 1024-token text, in a
 * fresh process, timed per phase; the peak resident set (getrusage maxRSS) is set beside the sizes
 * of the weights, the hidden states and the logits.
 *
 * Where the peak goes: at the end of every phase (file read, graph augmented, session created, then
 * each stage of the job) it logs the resident set then and its peak during the phase, read from
 * /proc/self/status (VmRSS, VmHWM) and the peak reset after each read (`clear_refs`; Linux only,
 * skipped elsewhere). `--gc` (with node --expose-gc) collects garbage before each reading, to tell
 * what is still referenced from what merely waits for the collector; it changes the peaks.
 *
 *   node --import tsx bench/memory.node.ts [--tokens 1024] [--out FILE]
 *   node --expose-gc --import tsx bench/memory.node.ts --gc
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { installAnalysisCores } from '../cli/analysisCores';
import { runAnalyzeJob } from '../src/job/analyze';
import { splitCorpus } from '../src/job/corpus';
import type { JobProgress } from '../src/job/progress';
import { DEFAULT_SETTINGS } from '../src/job/settings';
import type { ModelFileAccess } from '../src/model/augmentingRuntime';
import { nodeRuntime, readModelsFromFolder } from '../src/model/nodeRuntime';
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
  options: {
    tokens: { type: 'string', default: '1024' },
    out: { type: 'string' },
    gc: { type: 'boolean', default: false },
  },
});

/** VmRSS and VmHWM of this process in bytes, or null off Linux. */
function procMemory(): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  } catch {
    return null;
  }
}

/** Resets VmHWM to the current resident set (Linux: `echo 5 > /proc/self/clear_refs`). */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

interface PhaseMemory {
  phase: string;
  /** Peak resident set during the phase. */
  peak: number;
  /** Resident set at its end. */
  rss: number;
  /** V8's heap and the ArrayBuffers it tracks, at its end. */
  heap: number;
  arrayBuffers: number;
}

const phaseMemory: PhaseMemory[] = [];
let peaksReset = resetPeak();

/** Records the phase that just ended (see the header), then starts the next one's peak. */
function endPhase(phase: string): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (values.gc && collect) collect();
  const now = procMemory();
  const usage = process.memoryUsage();
  if (!now) return;
  phaseMemory.push({
    phase,
    peak: peaksReset ? now.hwm : Number.NaN,
    rss: now.rss,
    heap: usage.heapUsed,
    arrayBuffers: usage.arrayBuffers,
  });
  peaksReset = resetPeak();
}

function phaseOf(p: JobProgress): string {
  if (p.stage === 'download' || p.stage === 'augment' || p.stage === 'ready') return 'load';
  if (p.stage === 'forward') return `forward (${p.of === 'input' ? 'text' : 'reference'})`;
  return p.stage;
}

function logPhaseMemory(): void {
  if (phaseMemory.length === 0) return;
  log(
    `  memory by phase${values.gc ? ' (garbage collected before each reading)' : ''}: peak during / RSS after / V8 heap / ArrayBuffers, MB`,
  );
  for (const p of phaseMemory)
    log(
      `    ${p.phase.padEnd(42)} ${mb(p.peak).toFixed(0).padStart(6)} ${mb(p.rss).toFixed(0).padStart(6)} ${mb(p.heap).toFixed(0).padStart(6)} ${mb(p.arrayBuffers).toFixed(0).padStart(6)}`,
    );
}

async function main(): Promise<void> {
  requireBenchModel();
  const T = Number(values.tokens);
  const rssBefore = process.memoryUsage().rss;
  // First: transformers.js must be imported after LinScope's runtime is installed for it.
  const rt = await nodeRuntime();
  endPhase('start (runtime imported)');
  // The load's own steps: the model file read, the graph augmented, the session created.
  const files = (rt.runtime as unknown as { files: ModelFileAccess }).files;
  (rt.runtime as unknown as { files: ModelFileAccess }).files = {
    async read(path) {
      const bytes = await files.read(path);
      endPhase(`load: ${basename(path)} read`);
      return bytes;
    },
    locate: (path) => files.locate(path),
    sizeOf: (path) => files.sizeOf(path),
    readRange: (path, start, end) => files.readRange(path, start, end),
  };
  const sessions = rt.runtime.ort.InferenceSession;
  const create = sessions.create.bind(sessions);
  sessions.create = (async (...args: Parameters<typeof create>) => {
    endPhase('load: graph augmented');
    const session = await create(...args);
    endPhase('load: session created');
    return session;
  }) as typeof sessions.create;
  const text = await textOfTokens(BENCH_MODEL_DIR, T);
  // As the CLI opens a model folder (cli/main.ts).
  readModelsFromFolder(rt, dirname(BENCH_MODEL_DIR));
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
        if (marks.at(-1)?.phase !== phase) {
          const ended = marks.at(-1)?.phase;
          if (ended && ended !== 'load') endPhase(ended);
          else if (ended === 'load') endPhase('load: rest (tokenizer, transformers.js)');
          marks.push({ t: performance.now() - t0, phase });
        }
      },
    },
  );
  const total = performance.now() - t0;
  const lastPhase = marks.at(-1)?.phase;
  if (lastPhase) endPhase(lastPhase);
  clearInterval(sampler);
  logPhaseMemory();
  // Resetting VmHWM resets getrusage's maxRSS too: the peak is the highest of the phases' peaks.
  const peak = Math.max(process.resourceUsage().maxRSS * 1024, ...phaseMemory.map((p) => p.peak || 0));
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
