#!/usr/bin/env node
/**
 * Runs the CLI's analysis on the base model (linscope/tiny-gpt2) and on each checkpoint of its fine-tune
 * (public/models/fixtures/tiny-gpt2-finetune/step-N, made by tools/models/finetune_tiny_gpt2.py) over two
 * held-out texts, one of the fine-tune's domain and one of the base's, and writes:
 *
 *   tests/fixtures/compare/finetune/<text>.txt           the two input texts
 *   tests/fixtures/compare/finetune/<model>.<text>.json  the CLI's result JSONs (inputs for compare tests)
 *   tests/fixtures/compare/finetune/index.json           which file is which, and the per-layer linearity
 *   the linearity section of public/models/fixtures/tiny-gpt2-finetune/README.md (between its markers;
 *   hand-written text after its notes marker is kept)
 *
 * Texts: stories = docs/linearize/stories.txt (five stories written for LinScope; not in the fine-tune
 * data, which is sampled from stories260K); kjv = the first document of docs/linearize/heldout-kjv-jargon.txt
 * (Zephaniah 1, from the base's held-out split; not in the reference corpus).
 *
 * Run from anywhere (no npm needed; node and the installed node_modules):  node tools/finetune-compare.mjs
 * `--readme-only` rewrites the README section from index.json without running anything.
 * Also analyses larger held-out texts (not committed; summarised in index.json and the README):
 * the fine-tune's validation stories (.generated/tiny-gpt2-finetune/stories.txt, crc32 % 10 == 0, as
 * finetune_tiny_gpt2.py splits them) and the base's validation Bible chapters
 * (.generated/tiny-gpt2-data/kjv.txt, crc32 % 50 == 0, as prepare_text.py splits them).
 * About 5 minutes on one core (--threads 1, so the numbers do not depend on the core count).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = 'tests/fixtures/compare/finetune';
const FINETUNE = 'public/models/fixtures/tiny-gpt2-finetune';
const README = join(FINETUNE, 'README.md');
const STORIES_DATA = '.generated/tiny-gpt2-finetune/stories.txt';
const KJV_DATA = '.generated/tiny-gpt2-data/kjv.txt';
const LARGE = '.generated/tiny-gpt2-finetune/compare';
const START = '<!-- linearity:start (written by tools/finetune-compare.mjs) -->';
const END = '<!-- linearity:end -->';
const NOTES = '<!-- notes (hand-written, kept) -->';

process.chdir(ROOT);
mkdirSync(OUT, { recursive: true });

const steps = readdirSync(FINETUNE)
  .map((name) => /^step-(\d+)$/.exec(name))
  .filter((m) => m !== null && existsSync(join(FINETUNE, m[0], 'config.json')))
  .map((m) => Number(m[1]))
  .sort((a, b) => a - b);
if (steps.length === 0)
  throw new Error(`no checkpoints in ${FINETUNE}: run tools/models/finetune_tiny_gpt2.py`);
const models = [
  { name: 'base', step: 0, folder: 'public/models/linscope/tiny-gpt2' },
  ...steps.map((step) => ({ name: `step-${step}`, step, folder: `${FINETUNE}/step-${step}` })),
];

if (!process.argv.includes('--readme-only')) {
  const kjv = readFileSync('docs/linearize/heldout-kjv-jargon.txt', 'utf8').split('\n\n')[0].trim();
  if (!kjv.startsWith('The word of the LORD which came unto Zephaniah'))
    throw new Error('unexpected KJV text');
  writeFileSync(join(OUT, 'kjv.txt'), `${kjv}\n`);
  copyFileSync('docs/linearize/stories.txt', join(OUT, 'stories.txt'));
  const texts = [
    {
      name: 'stories',
      what: "five short children's stories written for LinScope: the fine-tune's domain, held out",
    },
    { name: 'kjv', what: "Zephaniah 1, King James Bible: the base's domain, from its held-out split" },
  ];

  /** `linscope analyze` of one model on one text; returns the result JSON. */
  function analyze(folder, input, out, corpus) {
    const args = [
      'cli/bin.mjs',
      'analyze',
      '--model',
      folder,
      '--input',
      input,
      '--out',
      out,
      '--threads',
      '1',
    ];
    if (corpus) args.push('--corpus');
    execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    return JSON.parse(readFileSync(out, 'utf8'));
  }

  const summary = (result) => ({
    tokens: result.layers[0].n,
    linearity: result.layers.map((l) => l.linearity),
    linearityHeldOut: result.layers.map((l) => l.heldOut?.linearity ?? null),
  });

  const runs = [];
  for (const text of texts) {
    for (const model of models) {
      const file = `${model.name}.${text.name}.json`;
      const result = analyze(model.folder, join(OUT, `${text.name}.txt`), join(OUT, file), false);
      runs.push({
        model: model.folder,
        name: model.name,
        step: model.step,
        text: text.name,
        file,
        ...summary(result),
      });
      console.log(
        `${file}: ${runs
          .at(-1)
          .linearity.map((x) => x.toFixed(4))
          .join(' ')}`,
      );
    }
  }

  // Larger held-out texts (not committed; their results are only summarised): the fine-tune's validation
  // stories and the base's validation Bible chapters, each document on its own (--corpus).
  const crc = (d) => crc32(Buffer.from(d, 'utf8'));
  const docs = (file) =>
    readFileSync(file, 'utf8')
      .split('\n\n')
      .map((d) => d.trim())
      .filter((d) => d.length > 0);
  for (const file of [STORIES_DATA, KJV_DATA]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run tools/models/finetune_tiny_gpt2.py / prepare_text.py`);
  }
  mkdirSync(LARGE, { recursive: true });
  const largeTexts = [
    {
      name: 'stories-val',
      what: "the fine-tune's validation stories, sampled from stories260K, never trained on",
      docs: docs(STORIES_DATA).filter((d) => crc(d) % 10 === 0),
    },
    {
      name: 'kjv-val',
      what: "the Bible chapters of the base's validation split, never trained on",
      docs: docs(KJV_DATA).filter((d) => crc(d) % 50 === 0),
    },
  ];
  const large = [];
  for (const text of largeTexts) {
    const input = join(LARGE, `${text.name}.txt`);
    writeFileSync(input, `${text.docs.join('\n\n')}\n`);
    for (const model of models) {
      const result = analyze(model.folder, input, join(LARGE, `${model.name}.${text.name}.json`), true);
      large.push({
        name: model.name,
        step: model.step,
        text: text.name,
        documents: text.docs.length,
        ...summary(result),
      });
      console.log(
        `${model.name}.${text.name}: ${large
          .at(-1)
          .linearity.map((x) => x.toFixed(4))
          .join(' ')}`,
      );
    }
  }

  writeFileSync(
    join(OUT, 'index.json'),
    `${JSON.stringify(
      {
        about:
          'CLI results (linscope analyze --threads 1) of the base model and the checkpoints of its fine-tune on ' +
          "children's stories; made by tools/finetune-compare.mjs. linearity[l] = layers[l].linearity (pair l -> l+1), " +
          'linearityHeldOut[l] = layers[l].heldOut.linearity (maps fitted on the reference corpus).',
        texts: Object.fromEntries(texts.map((t) => [t.name, { file: `${t.name}.txt`, what: t.what }])),
        runs,
        larger: {
          about:
            'Not committed: the same analysis (--corpus) on larger held-out texts, ' +
            `written to ${LARGE}/ by this script.`,
          texts: Object.fromEntries(
            largeTexts.map((t) => [t.name, { documents: t.docs.length, what: t.what }]),
          ),
          runs: large,
        },
      },
      null,
      1,
    )}\n`,
  );
}

// The README section, from index.json: per-layer linearity per model, for each text.
const index = JSON.parse(readFileSync(join(OUT, 'index.json'), 'utf8'));
const named = (texts) => Object.entries(texts).map(([name, t]) => ({ name, ...t }));
const fmt = (x) => (x === null ? '–' : x.toFixed(4));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
let md = `Measured by \`node tools/finetune-compare.mjs\` (the CLI's \`analyze\`, \`--threads 1\`; result JSONs in
\`${OUT}/\`). "Linearity" is the paper's score of block l (hidden state l → l+1, centred and
normalised; 1 = exactly linear), in sample on the text's own tokens; "held out" fits the maps on LinScope's
reference corpus (KJV + Jargon) and scores them on the text.\n`;
const table = (rowsAll, text, label) => {
  const rows = rowsAll.filter((r) => r.text === text.name);
  const L = rows[0].linearity.length;
  let t = `\n**${text.name}**: ${text.what}; ${label(rows[0])}.\n\n`;
  t += `| model | ${Array.from({ length: L }, (_, l) => `block ${l}`).join(' | ')} | mean | mean, held out |\n`;
  t += `|---|${'---|'.repeat(L + 2)}\n`;
  for (const r of rows) {
    t += `| ${r.name} | ${r.linearity.map(fmt).join(' | ')} | ${fmt(mean(r.linearity))} | ${
      r.linearityHeldOut.includes(null) ? '–' : fmt(mean(r.linearityHeldOut))
    } |\n`;
  }
  return t;
};
md += `\nThe committed texts (\`${OUT}/*.txt\`; short: n is only 5-7 times d, which inflates the in-sample score):\n`;
for (const text of named(index.texts)) md += table(index.runs, text, (r) => `${r.tokens} tokens`);
md += `\nLarger held-out texts (each document on its own, \`--corpus\`; results in \`${LARGE}/\`, not committed):\n`;
for (const text of named(index.larger.texts))
  md += table(index.larger.runs, text, (r) => `${r.documents} documents, ${r.tokens} tokens`);
const readme = readFileSync(README, 'utf8');
if (!readme.includes(START) || !readme.includes(END))
  throw new Error(`${README} lacks the linearity markers`);
const [head, rest] = readme.split(START);
const tail = rest.split(END)[1];
// Hand-written remarks after the NOTES marker inside the section are kept.
const kept = rest.split(END)[0].split(NOTES)[1];
const notes = kept === undefined ? '' : `\n${NOTES}${kept.trimEnd()}\n`;
writeFileSync(README, `${head}${START}\n${md}${notes}${END}${tail}`);
console.log(`wrote ${OUT}/ and the linearity section of ${README}`);
