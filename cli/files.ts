/**
 * The command line's own files: texts read as the page reads an upload (src/share/textFile.ts), and
 * outputs checked before anything runs and written so that a failure leaves nothing behind.
 *
 * An output goes where its path leads: through a symbolic link to the link's target, straight into
 * a device or a named pipe (`/dev/stdout`, `/dev/null`, a FIFO), and into a regular file by writing
 * beside it and renaming (so a failed write never leaves half a file). Outputs must differ from each
 * other and from the inputs: writing the result over the text it came from loses the text.
 */
import {
  accessSync,
  constants,
  lstatSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LinScopeError } from '../src/errors';
import { decodeTextFile } from '../src/share/textFile';

const bad = (message: string) => new LinScopeError('BAD_INPUT', message);

/** A file system error in words. */
function reason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** A file's bytes (`what`: "stats file", ...), or a one-line reason why not. */
export function readBinaryFile(path: string, what: string): Uint8Array {
  if (!statOrNull(path)?.isFile()) throw bad(`${what} ${path} does not exist or is not a file`);
  try {
    return readFileSync(path);
  } catch (error) {
    throw bad(`cannot read ${what} ${path}: ${reason(error)}`);
  }
}

/** A text file's content (`what`: "input file", "reference file"), refused as the page refuses an upload. */
export function readTextFile(path: string, what: string): string {
  return decodeTextFile(readBinaryFile(path, what), path);
}

/** A file the command reads or writes, with the option that named it. */
export interface NamedFile {
  readonly option: string;
  readonly path: string;
}

/**
 * Where writing `path` lands: a link's target (followed to the end), else the path itself in its
 * folder's real location. Two paths that land on the same file give the same string.
 */
export function landingOf(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    // Not there (yet), or a link to a file not there yet.
  }
  let at = absolute;
  for (let hops = 0; hops < 40; hops++) {
    let link: Stats;
    try {
      link = lstatSync(at);
    } catch {
      break;
    }
    if (!link.isSymbolicLink()) break;
    at = resolve(dirname(at), readlinkSync(at));
  }
  try {
    return join(realpathSync(dirname(at)), basename(at));
  } catch {
    return at;
  }
}

/**
 * Refuses, before anything runs, outputs that could not be written or would destroy something:
 * a missing or unwritable folder, a folder where the file should be, two outputs on one file, an
 * output on an input. `sameFileAllowed` lists option pairs that may share a file (a fit loaded
 * and saved back).
 */
export function checkOutputs(
  outputs: readonly NamedFile[],
  inputs: readonly NamedFile[],
  sameFileAllowed: readonly (readonly [string, string])[] = [],
): void {
  const allowed = (a: string, b: string) =>
    sameFileAllowed.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  const seen: { option: string; path: string; landing: string }[] = inputs.map((f) => ({
    ...f,
    landing: landingOf(f.path),
  }));
  for (const output of outputs) {
    const landing = landingOf(output.path);
    const clash = seen.find((f) => f.landing === landing && !allowed(f.option, output.option));
    if (clash)
      throw bad(
        `${output.option} ${output.path} is the same file as ${clash.option} ${clash.path}: writing it would lose ${clash.option === output.option ? 'one of them' : 'the other'}. Give ${output.option} another path.`,
      );
    seen.push({ ...output, landing });
    const existing = statOrNull(landing);
    if (existing?.isDirectory())
      throw bad(
        `${output.option} ${output.path} is a folder; give a file path (for example ${join(output.path, 'result.json')})`,
      );
    const folder = dirname(landing);
    if (!statOrNull(folder)?.isDirectory())
      throw bad(`${output.option} ${output.path}: the folder ${folder} does not exist. Create it first.`);
    // A regular file is written beside itself and renamed into place: its folder must take new files.
    const mustWrite = existing && !existing.isFile() ? landing : folder;
    try {
      accessSync(mustWrite, constants.W_OK);
    } catch (error) {
      throw bad(`cannot write ${output.option} ${output.path}: ${reason(error)}`);
    }
  }
}

/** Writes `data` where `path` leads (see the header); a failure is a one-line error and leaves no partial file. */
export function writeOutput(path: string, data: string | Uint8Array, option = 'output'): void {
  const landing = landingOf(path);
  const existing = statOrNull(landing);
  try {
    if (existing && !existing.isFile()) {
      writeFileSync(landing, data);
      return;
    }
  } catch (error) {
    throw bad(`cannot write ${option} ${path}: ${reason(error)}`);
  }
  const partial = `${landing}.${process.pid}.partial`;
  try {
    writeFileSync(partial, data);
    renameSync(partial, landing);
  } catch (error) {
    rmSync(partial, { force: true });
    throw bad(`cannot write ${option} ${path}: ${reason(error)}`);
  }
}
