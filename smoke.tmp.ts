import { readFileSync } from 'node:fs';
import { splitCorpus } from './src/job/corpus';
import { runLinearizeJob } from './src/job/linearize';
import { DEFAULT_SETTINGS } from './src/job/settings';
import { nodeRuntime } from './src/model/nodeRuntime';
import { EXAMPLE_PROMPT } from './src/ui/examplePrompt';
const rt = await nodeRuntime();
rt.transformers.env.allowLocalModels = true;
rt.transformers.env.allowRemoteModels = false;
rt.transformers.env.localModelPath = '/work/main/public/models/';
const t0 = performance.now();
const r = await runLinearizeJob(rt, {
  model: { id: 'linscope/tiny-gpt2', dtype: 'fp32', device: 'cpu' },
  texts: [EXAMPLE_PROMPT], settings: DEFAULT_SETTINGS,
  reference: { source: 'bundled', name: 'reference-en.txt', texts: splitCorpus(readFileSync('public/corpus/reference-en.txt', 'utf8'), 'x.txt') },
  maps: process.argv[2] === 'self' ? 'self' : 'reference', runs: [{ linear: [1], skip: [] }, { linear: [], skip: [1] }], sweep: true, continuation: 12,
});
console.log((performance.now() - t0).toFixed(0), 'ms');
console.log(JSON.stringify({ ...r, runs: r.runs.map((x) => ({ ...x, lossDelta: x.lossDelta.slice(0, 5) })) }, null, 1).slice(0, 4000));
