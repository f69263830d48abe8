#!/usr/bin/env node
/**
 * Prints text the default model never trained on and the reference corpus does not hold: the
 * held-out documents of tools/models/prepare_text.py (crc32(document) % 50 == 0) that
 * tools/make-reference-corpus.mjs did not pick, Bible chapters and Jargon entries alternating, up
 * to about --chars characters. docs/linearize.md measures the replacement experiment on it.
 *
 *   .venv/bin/python tools/models/prepare_text.py --vocab 4096   (writes .generated/tiny-gpt2-data)
 *   node tools/heldout-text.mjs [--chars 3000] [.generated/tiny-gpt2-data] > heldout.txt
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const args = process.argv.slice(2);
const charsAt = args.indexOf('--chars');
const limit = charsAt >= 0 ? Number(args[charsAt + 1]) : 3000;
const dataDir =
  args.filter((a, i) => !a.startsWith('--') && i !== charsAt + 1)[0] ?? '.generated/tiny-gpt2-data';
const reference = readFileSync('public/corpus/reference-en.txt', 'utf8');

const heldOut = (name) =>
  readFileSync(join(dataDir, name), 'utf8')
    .split('\n\n')
    .map((d) => d.trim())
    .filter((d) => d.length > 0 && crc32(Buffer.from(d, 'utf8')) % 50 === 0)
    // Not in the reference (whole, or cut at a sentence end as the reference cuts long chapters).
    .filter((d) => !reference.includes(d.slice(0, 200)));

const kjv = heldOut('kjv.txt');
const jargon = heldOut('jargon.txt');
const picked = [];
let size = 0;
for (let i = 0; size < limit && (i < kjv.length || i < jargon.length); i++) {
  for (const doc of [kjv[i], jargon[i]]) {
    if (!doc || size >= limit) continue;
    const text =
      doc.length > limit - size ? doc.slice(0, doc.lastIndexOf('. ', limit - size) + 1 || limit - size) : doc;
    if (text.length === 0) continue;
    picked.push(text);
    size += text.length + 2;
  }
}
process.stdout.write(`${picked.join('\n\n')}\n`);
