/**
 * Files opened in the page that are not a `.linscope.json`: stats files (`linscope.stats/v1`, one or
 * several shards chosen together: merged and reduced exactly as `linscope reduce` does), or one
 * hidden-state file with an optional token list (analysed in full). Which it is follows from the
 * files: a safetensors file whose metadata names a stats schema is a stats file. The worker runs
 * this (reading big files and merging must not freeze the page); every refusal says which file was
 * wrong, in what, and what to do.
 */
import { LinScopeError } from '../errors';
import type { JobHooks } from '../job/analyze';
import { runStatesAnalysis } from '../job/analyzeStates';
import { type ResultHead, type ResultTail, resultParts } from '../job/result';
import type { AnalysisSettings } from '../job/settings';
import { fileSize } from './fileSize';
import {
  type ImportFileBytes,
  isStatesFileName,
  isTokenListFileName,
  MAX_HIDDEN_STATES_FILE_BYTES,
  MAX_TOKEN_LIST_FILE_BYTES,
  readHiddenStatesImport,
} from './hiddenStatesImport';
import { safetensorsMetadata } from './safetensors';
import { reduceStatsFiles, STATS_SCHEMA } from './statsFile';

/** Largest stats file opened in the page (GPT-2 small's is 56 MB; a 7B model's 4.4 GB is for the CLI). */
export const MAX_STATS_FILE_BYTES = 1024 ** 3;
/** Stats files opened at once: all of them are read into memory before merging. */
export const MAX_STATS_TOTAL_BYTES = 2 * 1024 ** 3;

export interface ImportedResult {
  readonly head: ResultHead;
  readonly tail: ResultTail;
  /** What the page should say with the result (where it came from, what is absent and why). */
  readonly notes: string[];
}

/** A safetensors file whose metadata says it is a LinScope stats file (of any version). */
function isStatsFile(file: ImportFileBytes): boolean {
  if (!/\.safetensors$/i.test(file.name)) return false;
  const metadata = safetensorsMetadata(file.bytes);
  return metadata?.linscope?.includes('"linscope.stats/') === true;
}

/**
 * Refuses what cannot be opened before anything is read: unknown file kinds, files over the size
 * limits. `sizes` are the files' byte counts (the page knows them before reading).
 */
export function checkImportSizes(files: readonly { name: string; size: number }[]): void {
  if (files.length === 0) throw new LinScopeError('BAD_INPUT', 'No files were chosen.');
  let total = 0;
  for (const { name, size: bytes } of files) {
    if (!isStatesFileName(name) && !isTokenListFileName(name))
      throw new LinScopeError(
        'BAD_INPUT',
        `${name}: LinScope opens .linscope.json files, stats files and hidden states (.safetensors, .npy, with a .json or .txt token list).`,
      );
    const limit = isTokenListFileName(name) ? MAX_TOKEN_LIST_FILE_BYTES : MAX_HIDDEN_STATES_FILE_BYTES;
    if (bytes > limit)
      throw new LinScopeError(
        'BAD_INPUT',
        `${name} is ${fileSize(bytes)}, more than the ${fileSize(limit)} the page opens. Use the command line (linscope reduce for stats, analyze for models) for bigger files.`,
      );
    if (bytes === 0) throw new LinScopeError('BAD_INPUT', `${name} is empty (0 bytes).`);
    if (/\.safetensors$/i.test(name)) total += bytes;
  }
  if (total > MAX_STATS_TOTAL_BYTES)
    throw new LinScopeError(
      'BAD_INPUT',
      `These files are ${fileSize(total)} together, more than the ${fileSize(MAX_STATS_TOTAL_BYTES)} the page opens at once. Merge them with linscope reduce instead.`,
    );
}

function statsNotes(head: ResultHead): string[] {
  const s = head.statistics;
  const from = s
    ? `${s.shards} stats file${s.shards === 1 ? '' : 's'} (${s.tokens.toLocaleString('en')} tokens of ${s.documents} documents; made by ${s.generator})`
    : 'stats files';
  return [
    `Per-layer scores reduced from ${from}, as linscope reduce gives them.`,
    'Stats hold sums over tokens, not per-token values: the per-token views (heatmap, coloured text, flashes) and held-out scores are absent.',
  ];
}

/**
 * Opens `files` as one result: stats files merged and reduced, or hidden states analysed (their
 * head and pairs reported through `hooks` as they are known, like a run). Throws BAD_INPUT.
 */
export async function importFiles(
  files: readonly ImportFileBytes[],
  settings: AnalysisSettings,
  hooks: Pick<JobHooks, 'signal' | 'onProgress' | 'onStarted' | 'onPair' | 'pairWorkers'> = {},
): Promise<ImportedResult> {
  checkImportSizes(files.map((f) => ({ name: f.name, size: f.bytes.byteLength })));
  const stats = files.filter(isStatsFile);
  if (stats.length > 0) {
    const other = files.find((f) => !/\.safetensors$/i.test(f.name));
    if (other)
      throw new LinScopeError(
        'BAD_INPUT',
        `${other.name} cannot be opened with stats files: choose only ${STATS_SCHEMA} files (.safetensors) together.`,
      );
    const { head, tail } = resultParts(reduceStatsFiles(files));
    hooks.onStarted?.(head);
    for (const record of tail.layers) hooks.onPair?.(record);
    return { head, tail, notes: statsNotes(head) };
  }
  const imported = readHiddenStatesImport(files);
  const analysis = await runStatesAnalysis(
    {
      states: imported.states,
      tokens: imported.tokens,
      model: { id: imported.modelId, dtype: imported.dtype },
      settings,
      source: imported.name,
    },
    hooks,
  );
  const { states } = imported;
  const notes = [
    `Hidden states from ${imported.name}: ${states.states - 1} layers, ${states.tokens} tokens, d = ${states.hidden} (${imported.dtype}).`,
    ...imported.notes,
    analysis.perTokenAbsent ??
      'Per-token values come from maps fitted on these same tokens (in sample: there is no reference text for a model LinScope did not run), so a token’s value is its own fit error relative to the typical one.',
  ];
  return { head: analysis.head, tail: analysis.tail, notes };
}
