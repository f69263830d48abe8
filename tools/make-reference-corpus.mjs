#!/usr/bin/env node
/**
 * Writes public/corpus/reference-en.txt: the bundled reference corpus that per-token non-linearity
 * maps are fitted on (docs/analysis.md). Public-domain English, the validation documents of the
 * default model's training text (tools/models/prepare_text.py: a document is held out when
 * crc32(document) % 50 == 0), so the default model never trained on it.
 *
 * Run after prepare_text.py:  node tools/make-reference-corpus.mjs [.generated/tiny-gpt2-data]
 * Documents are separated by a blank line; the file is capped at about 48 KB (roughly 10k GPT-2
 * tokens: 4x d for d up to 1024 with room to spare), alternating Bible chapters and Jargon entries.
 *
 * The cleaned text has no line breaks and almost no digits, so the file then gets LINED held-out
 * chapters more: the last ones of the held-out list (the first ones after the picked ones are what
 * tools/heldout-text.mjs prints), read again with the `bible` reader (Debian bible-kjv) and written
 * one numbered verse per line ("1 In the beginning ..."): line breaks, numbers and a numbered list
 * in the reference too (docs/analysis.md, "The reference sample").
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const dataDir = process.argv[2] ?? '.generated/tiny-gpt2-data';
const LIMIT = 48_000;

const heldOut = (name) =>
  readFileSync(join(dataDir, name), 'utf8')
    .split('\n\n')
    .map((d) => d.trim())
    .filter((d) => d.length > 0 && crc32(Buffer.from(d, 'utf8')) % 50 === 0);

const kjv = heldOut('kjv.txt');
const jargon = heldOut('jargon.txt');
const picked = [];
let size = 0;
for (let i = 0; size < LIMIT && (i < kjv.length || i < jargon.length); i++) {
  for (const doc of [kjv[i], jargon[i]]) {
    if (!doc || size >= LIMIT) continue;
    // Long chapters are cut at a sentence end so one document cannot fill the corpus.
    const text = doc.length > 6000 ? doc.slice(0, doc.indexOf('. ', 5000) + 1 || 6000) : doc;
    picked.push(text);
    size += text.length + 2;
  }
}

const LINED = 3;
/** Every chapter's verses, as prepare_text.py reads them: `bible -f` prints "Ge1:1 text" per verse. */
const chapters = new Map();
for (const line of execFileSync('bible', ['-f', 'Gen1:1-Rev22:21'], {
  encoding: 'utf8',
  maxBuffer: 1 << 26,
}).split('\n')) {
  const m = /^([0-9]?[A-Za-z]+)(\d+):(\d+) (.*)$/.exec(line.trim());
  if (!m) continue;
  const key = `${m[1]}${m[2]}`;
  if (!chapters.has(key)) chapters.set(key, []);
  chapters.get(key).push({ verse: m[3], text: m[4].trim() });
}
const heldOutKjv = new Set(kjv);
const lined = [...chapters.values()]
  .filter((verses) => heldOutKjv.has(verses.map((v) => v.text).join(' ')))
  .filter((verses) => !picked.some((p) => p.startsWith(verses[0].text.slice(0, 100))))
  .slice(-LINED)
  .map((verses) => verses.map((v) => `${v.verse} ${v.text}`).join('\n'));
picked.push(...lined);
size += lined.reduce((s, t) => s + t.length + 2, 0);
writeFileSync('public/corpus/reference-en.txt', `${picked.join('\n\n')}\n`);
console.log(`wrote public/corpus/reference-en.txt: ${picked.length} documents, ${size} characters`);
