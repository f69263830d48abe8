#!/usr/bin/env node
/**
 * `npm test`: static checks, unit tests (vitest, Node) and end-to-end tests (Playwright, Chromium),
 * then one summary line: "Summary: N passed, N failed, N skipped".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { chromiumExecutableOrNull } from './chromium.mjs';

const RESULTS = 'test-results';
const UNIT_JSON = `${RESULTS}/unit.json`;
const E2E_JSON = `${RESULTS}/e2e.json`;

function run(label, command, args) {
  console.log(`\n── ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  return result.status ?? 1;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** Lines printed of each failed attempt's page diary (its end), and how many attempts' diaries. */
const DIARY_LINES = 40;
const DIARY_ATTEMPTS = 3;

/** Each end-to-end attempt that failed, from Playwright's JSON report: its test, and its diary's path. */
function failedAttempts(report) {
  const attempts = [];
  const walk = (suite, titles) => {
    for (const spec of suite.specs ?? [])
      for (const test of spec.tests ?? [])
        for (const result of test.results ?? []) {
          if (result.status === test.expectedStatus) continue;
          const diary = (result.attachments ?? []).find((a) => a.name === 'page-diary' && a.path);
          attempts.push({
            title: `[${test.projectName}] ${[...titles, spec.title].join(' › ')}`,
            retry: result.retry ?? 0,
            outcome: test.status, // 'flaky' where a retry passed, 'unexpected' where none did
            diary: diary?.path ?? null,
          });
        }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  for (const suite of report?.suites ?? []) walk(suite, [suite.title]);
  return attempts;
}

/**
 * The end of the page diary (e2e/pageDiary.ts) of each failed end-to-end attempt, and the tests that
 * passed only on their retry: on CI the machine, traces included, is gone; what is printed here stays
 * with the log, above the summary.
 */
function reportFailedAttempts(report) {
  const attempts = failedAttempts(report);
  const withDiary = attempts.filter((a) => a.diary);
  for (const { title, retry, diary } of withDiary.slice(0, DIARY_ATTEMPTS)) {
    let lines;
    try {
      lines = readFileSync(diary, 'utf8').trimEnd().split('\n');
    } catch {
      continue;
    }
    const shown = Math.min(DIARY_LINES, lines.length);
    console.log(`\n── page diary of ${title}, attempt ${retry + 1} (last ${shown} of ${lines.length} lines)`);
    console.log(lines.slice(-DIARY_LINES).join('\n'));
  }
  if (withDiary.length > DIARY_ATTEMPTS)
    console.log(`\n(${withDiary.length - DIARY_ATTEMPTS} more failed attempts have a page diary)`);
  const flaky = [...new Set(attempts.filter((a) => a.outcome === 'flaky').map((a) => a.title))];
  if (flaky.length > 0) {
    console.log(
      `\nFlaky: ${flaky.length} end-to-end test(s) failed, then passed on the retry (diaries above):`,
    );
    for (const title of flaky) console.log(`  ${title}`);
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let ok = true;

mkdirSync(RESULTS, { recursive: true });
rmSync(UNIT_JSON, { force: true });
rmSync(E2E_JSON, { force: true });

// 1. Types and lint.
if (run('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']) !== 0) ok = false;
if (run('lint', 'npx', ['biome', 'check', '.']) !== 0) ok = false;
if (!ok) totals.failed += 1;

// 2. Unit tests.
const unitStatus = run('unit tests', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${UNIT_JSON}`,
]);
const unit = readJson(UNIT_JSON);
if (unit) {
  totals.passed += unit.numPassedTests;
  totals.failed += unit.numFailedTests;
  totals.skipped += unit.numPendingTests + (unit.numTodoTests ?? 0);
}
if (unitStatus !== 0) {
  ok = false;
  if (!unit || unit.numFailedTests === 0) totals.failed += 1; // a crash or a failed suite
}

// 3. End-to-end tests, in a real Chromium.
const chromium = chromiumExecutableOrNull();
if (!chromium) {
  console.error(
    '\nNo Chromium found for the end-to-end tests. On Debian: `sudo apt-get install -y chromium` ' +
      '(gives /usr/bin/chromium); elsewhere `npx playwright install chromium`, or set CHROMIUM_PATH.',
  );
  totals.failed += 1;
  ok = false;
} else {
  const e2eStatus = run('end-to-end tests', 'npx', ['playwright', 'test']);
  const e2e = readJson(E2E_JSON);
  reportFailedAttempts(e2e);
  if (e2e?.stats) {
    // A test that failed once and passed on its retry (playwright.config.ts) passes; it is named above.
    totals.passed += e2e.stats.expected + e2e.stats.flaky;
    totals.failed += e2e.stats.unexpected;
    totals.skipped += e2e.stats.skipped;
  }
  if (e2eStatus !== 0) {
    ok = false;
    if (!e2e?.stats || e2e.stats.unexpected === 0) totals.failed += 1;
  }
}

console.log(`\nSummary: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(ok && existsSync(RESULTS) ? 0 : 1);
