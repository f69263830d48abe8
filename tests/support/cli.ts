/** The `linscope` command as a user runs it: a child process of bin.mjs, with its exit code and output. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './models';

const BIN = join(ROOT, 'cli/bin.mjs');

export function linscope(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
