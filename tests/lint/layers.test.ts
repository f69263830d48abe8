/**
 * The layer rules bite: for every row of the README's "What is where" table and every other layer,
 * a scratch module importing that layer is linted with the project's own biome.json, and the import
 * must be refused exactly when the table does not list it. So the table, the lint rules and the
 * code cannot drift apart: change one and this test names the difference.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** One row of the table: a folder (or file) and what it may import. */
interface LayerRow {
  readonly source: string;
  readonly allowed: readonly string[];
}

/** The rows of the README's table whose first column names a layer under `src/` or `cli/`. */
function readLayerTable(): LayerRow[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## What is where'));
  const rows: LayerRow[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const source = /^`((?:src|cli)[^`]*)`$/.exec(cells[1] ?? '')?.[1];
    if (!source) continue;
    const allowed = [...(cells[3] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\/$/, ''));
    rows.push({ source: source.replace(/\/$/, ''), allowed });
  }
  return rows;
}

/**
 * Modules to import, one or more per layer: a layer's ordinary module, and the modules the table
 * singles out (the UI's exceptions), so both sides of every exception are tried.
 */
const TARGETS = [
  'src/errors.ts',
  'src/analysis/index',
  'src/model/hiddenStateModel',
  'src/model/webRuntime',
  'src/model/catalog',
  'src/model/config',
  'src/job/analyze',
  'src/job/result',
  'src/job/settings',
  'src/job/progress',
  'src/job/corpus',
  'src/share/permalink',
  'src/worker/handlers',
  'src/worker/client',
  'src/worker/protocol',
  'cli/main',
  'src/ui/App',
  'src/main.tsx',
];

const withoutExtension = (path: string) => path.replace(/\.tsx?$/, '');

function isAllowed(row: LayerRow, target: string): boolean {
  const t = withoutExtension(target);
  if (t === withoutExtension(row.source) || t.startsWith(`${row.source}/`)) return true;
  return row.allowed.some((a) => t === withoutExtension(a) || t.startsWith(`${a}/`));
}

/** Where the scratch module for a row goes: inside the folder, or in place of the file. */
function scratchPath(source: string): string {
  return /\.tsx?$/.test(source) ? source : `${source}/layerProbe.ts`;
}

function importLine(from: string, target: string, k: number): string {
  let spec = withoutExtension(relative(dirname(from), target));
  if (!spec.startsWith('.')) spec = `./${spec}`;
  return `export { probe as probe${k} } from '${spec}';`;
}

interface Diagnostic {
  category: string;
  location: { path: string; start: { line: number } };
}

/** Lints the files of `dir` with biome.json from the repository; the refused imports as "path:line". */
function refusedImports(dir: string): Set<string> {
  let output: string;
  try {
    output = execFileSync(join(ROOT, 'node_modules/.bin/biome'), ['lint', '--reporter=json', '.'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // Biome exits 1 when it reports errors: that is the expected outcome here.
    output = String((error as { stdout?: string }).stdout ?? '');
  }
  const report = JSON.parse(output.slice(output.indexOf('{'))) as { diagnostics: Diagnostic[] };
  return new Set(
    report.diagnostics
      .filter((d) =>
        [
          'lint/style/noRestrictedImports',
          'lint/correctness/noNodejsModules',
          'lint/style/noRestrictedGlobals',
        ].includes(d.category),
      )
      .map((d) => `${d.location.path.replace(/\\/g, '/')}:${d.location.start.line}`),
  );
}

describe('the README layer table, as the lint rules enforce it', () => {
  const rows = readLayerTable();
  let dir = '';
  let refused = new Set<string>();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'linscope-layers-'));
    copyFileSync(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    for (const row of rows) {
      const file = scratchPath(row.source);
      mkdirSync(join(dir, dirname(file)), { recursive: true });
      writeFileSync(join(dir, file), `${TARGETS.map((t, k) => importLine(file, t, k)).join('\n')}\n`);
    }
    // Package and global rules, one case each per kind of layer.
    const extra: Record<string, string> = {
      'src/job/packages.ts': [
        "import 'onnxruntime-web';",
        "import 'react';",
        "import 'node:fs';",
        'export const a = self;',
        "import '@huggingface/transformers';",
      ].join('\n'),
      'src/job/packages.test.ts': "import 'node:fs';\n",
      'src/analysis/packages.ts': "import 'd3';\nexport const b = navigator;\n",
      'src/ui/packages.ts': "import 'onnxruntime-web/webgpu';\nimport 'node:path';\nimport 'react';\n",
      'src/model/packages.ts': "import 'onnxruntime-web/webgpu';\nimport 'node:fs';\nimport 'react';\n",
      'cli/packages.ts': "import 'onnxruntime-node';\nimport 'node:fs';\nimport 'onnxruntime-web';\n",
    };
    for (const [file, text] of Object.entries(extra)) {
      mkdirSync(join(dir, dirname(file)), { recursive: true });
      writeFileSync(join(dir, file), `${text}\n`);
    }
    refused = refusedImports(dir);
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has a row for every layer', () => {
    expect(rows.map((r) => r.source).sort()).toEqual(
      [
        'cli',
        'src/analysis',
        'src/errors.ts',
        'src/job',
        'src/main.tsx',
        'src/model',
        'src/share',
        'src/ui',
        'src/worker',
      ].sort(),
    );
  });

  it('refuses an import exactly where the table does not allow it', () => {
    const mismatches: string[] = [];
    for (const row of rows) {
      const file = scratchPath(row.source);
      TARGETS.forEach((target, k) => {
        const allowed = isAllowed(row, target);
        const wasRefused = refused.has(`${file}:${k + 1}`);
        if (allowed === wasRefused)
          mismatches.push(
            `${row.source} -> ${target}: table says ${allowed ? 'allowed' : 'refused'}, lint ${wasRefused ? 'refused' : 'allowed'}`,
          );
      });
    }
    expect(mismatches).toEqual([]);
  });

  it('keeps runtimes, React and Node modules where they belong', () => {
    const lines = (file: string) =>
      [...refused]
        .filter((r) => r.startsWith(`${file}:`))
        .map((r) => Number(r.split(':')[1]))
        .sort();
    expect(lines('src/job/packages.ts')).toEqual([1, 2, 3, 4, 5]);
    expect(lines('src/job/packages.test.ts')).toEqual([]);
    expect(lines('src/analysis/packages.ts')).toEqual([1, 2]);
    expect(lines('src/ui/packages.ts')).toEqual([1, 2]);
    expect(lines('src/model/packages.ts')).toEqual([3]);
    expect(lines('cli/packages.ts')).toEqual([3]);
  });
});
