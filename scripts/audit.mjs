#!/usr/bin/env node
/**
 * CI's dependency audit (docs/reliability.md, "Dependencies"): `npm audit --omit=dev` must report no
 * high or critical advisory. Where the registry refuses the advisory endpoint (this project's build
 * machines answer 405), say so and go on: nothing can be audited there. Also checks that the
 * production dependency tree recorded in docs/reliability.md is the lock file's
 * (`node scripts/audit.mjs --write` records it again).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const DOC = 'docs/reliability.md';
const BEGIN = '<!-- npm ls --omit=dev --all: begin -->';
const END = '<!-- npm ls --omit=dev --all: end -->';

function npm(args) {
  const r = spawnSync('npm', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The production tree from the lock file, without the first line (it names the checkout's path). */
function productionTree() {
  const r = npm(['ls', '--omit=dev', '--all', '--package-lock-only']);
  return r.stdout.split('\n').slice(1).join('\n').trimEnd();
}

function recordedTree() {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) return { doc, tree: null, start, end };
  const block = doc.slice(start + BEGIN.length, end);
  return {
    doc,
    tree: block
      .replace(/^\s*```\n?/, '')
      .replace(/\n?```\s*$/, '')
      .trimEnd(),
    start,
    end,
  };
}

const tree = productionTree();
if (process.argv.includes('--write')) {
  const { doc, start, end } = recordedTree();
  if (start < 0 || end < start) throw new Error(`${DOC} has no ${BEGIN} … ${END} block`);
  writeFileSync(DOC, `${doc.slice(0, start + BEGIN.length)}\n\`\`\`\n${tree}\n\`\`\`\n${doc.slice(end)}`);
  console.log(`Recorded the production dependency tree in ${DOC}.`);
  process.exit(0);
}

let ok = true;
const recorded = recordedTree().tree;
if (recorded !== tree) {
  console.warn(
    `warning: the production dependency tree in ${DOC} is not the lock file's; run \`node scripts/audit.mjs --write\` and commit it.`,
  );
}

const audit = npm(['audit', '--omit=dev', '--json']);
const said = `${audit.stdout}\n${audit.stderr}`;
let report = null;
try {
  report = JSON.parse(audit.stdout);
} catch {
  report = null;
}
const refused = /\b405\b|Method Not Allowed|audit endpoint returned an error/i.test(said);
const counts = report?.metadata?.vulnerabilities;
if (counts) {
  const serious = (counts.high ?? 0) + (counts.critical ?? 0);
  console.log(
    `npm audit --omit=dev: ${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low.`,
  );
  if (serious > 0) {
    ok = false;
    console.error('npm audit found high or critical advisories in production dependencies: fix or pin them.');
  }
} else if (refused) {
  console.log(
    `npm audit --omit=dev: the registry refused the advisory endpoint (405 Method Not Allowed), so nothing was audited here. The production tree is recorded in ${DOC} for an audit where the endpoint works.`,
  );
} else {
  ok = false;
  console.error(`npm audit --omit=dev failed (exit ${audit.status}):\n${said.trim()}`);
}
process.exit(ok ? 0 : 1);
