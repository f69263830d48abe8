/**
 * Hidden states made elsewhere, opened for the full analysis (docs/result-json.md, "Hidden states
 * from elsewhere"): one states file and at most one token list, checked before anything is analysed.
 *
 * - safetensors: `hidden_states` [L+1, T, d] (or the file's only tensor of rank 3) in F32, F64, F16 or
 *   BF16; optional `input_ids` [T] (I64 or I32); optional token strings as a JSON list in the metadata
 *   entry `tokens`; optional metadata `model` (the name shown). `linscope analyze --dump-hidden`
 *   writes this layout (its `last_block_output` is not used).
 * - .npy: [L+1, T, d] float16/32/64, C order, little-endian; tokens from a companion .json or .txt.
 *
 * The states are kept as float32 (the analysis then works in float64, as for the page's own runs).
 */
import type { HiddenStates } from '../analysis';
import { LinScopeError } from '../errors';
import type { ResultToken } from '../job/result';
import { NpyError, readNpy } from './npyFile';
import {
  halfToNumber,
  readSafetensors,
  type SafeTensor,
  type SafetensorsFile,
  toFloat32,
} from './safetensors';
import {
  readTokenListFile,
  type TokenList,
  TokenListError,
  tokenListFromJson,
  tokenListLength,
} from './tokenListFile';

/** Largest states file opened in the page (it is read whole into memory, then kept as float32). */
export const MAX_HIDDEN_STATES_FILE_BYTES = 1024 ** 3;
/** Largest token list file. */
export const MAX_TOKEN_LIST_FILE_BYTES = 64 * 1024 ** 2;

export interface ImportFileBytes {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface ImportedHiddenStates {
  /** The states file's name. */
  readonly name: string;
  /** The metadata's `model`, else `imported/<file name without extension>`. */
  readonly modelId: string;
  /** The element type in the file (`F32`, `F64`, `F16`, `BF16`). */
  readonly dtype: string;
  readonly states: HiddenStates;
  /** T entries; `id` 0 where the file gives no ids, `text` `‹id›` (or `‹position›`) where it gives no strings. */
  readonly tokens: ResultToken[];
  /** What the page should say about the file (what was used, what was missing). */
  readonly notes: string[];
}

const refuse = (name: string, why: string) => new LinScopeError('BAD_INPUT', `${name}: ${why}`);

export const isStatesFileName = (name: string) => /\.(safetensors|npy)$/i.test(name);
export const isTokenListFileName = (name: string) => /\.(json|txt)$/i.test(name);

const stem = (name: string) => name.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]+/g, '-') || 'states';

/** Float32 of [L+1, T, d] values given in any of the readable float types, checked to be finite. */
function finiteFloat32(
  name: string,
  values: Float32Array,
  shape: readonly [number, number, number],
): Float32Array {
  const [S, T, d] = shape;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const s = Math.floor(i / (T * d));
      const t = Math.floor((i % (T * d)) / d);
      throw refuse(
        name,
        `state ${s} of ${S}, token ${t}, feature ${i % d} is ${values[i]}; the states must be finite numbers (a float16 overflow, say, gives Infinity)`,
      );
    }
  }
  return values;
}

/** [L+1, T, d] sizes, checked. */
function statesShape(name: string, shape: readonly number[]): [number, number, number] {
  if (shape.length !== 3)
    throw refuse(
      name,
      `the states have shape [${shape.join(', ')}] (rank ${shape.length}); LinScope needs rank 3, [L+1, T, d] (layers + 1, tokens, hidden size)${shape.length === 4 && shape[1] === 1 ? ': drop the batch dimension' : ''}`,
    );
  const [S, T, d] = shape;
  if (S < 2)
    throw refuse(
      name,
      `there ${S === 1 ? 'is 1 state' : `are ${S} states`}; a layer pair needs at least 2 (L+1 >= 2)`,
    );
  if (T === 0) throw refuse(name, 'the states hold no tokens (T = 0)');
  if (d === 0) throw refuse(name, 'the hidden size is 0 (d = 0)');
  return [S, T, d];
}

function statesTensor(name: string, file: SafetensorsFile): SafeTensor {
  const named = file.tensors.get('hidden_states');
  if (named) return named;
  const rank3 = [...file.tensors.entries()].filter(([, t]) => t.shape.length === 3);
  if (rank3.length === 1) return rank3[0][1];
  if (file.metadata.linscope?.includes('linscope.stats/'))
    throw refuse(name, 'this is a stats file; stats files open together, without hidden-state files');
  throw refuse(
    name,
    rank3.length === 0
      ? `it is neither a LinScope stats file nor hidden states: it has no tensor "hidden_states" [L+1, T, d] (it has ${[...file.tensors.keys()].slice(0, 8).join(', ') || 'no tensors'})`
      : `it has several tensors of rank 3 (${rank3.map(([k]) => k).join(', ')}); name the states "hidden_states"`,
  );
}

function idsOfTensor(name: string, t: SafeTensor): number[] {
  if (t.shape.length !== 1 || !(t.dtype === 'I64' || t.dtype === 'I32'))
    throw refuse(name, `input_ids is ${t.dtype} [${t.shape.join(', ')}]; it must be I64 or I32 [T]`);
  const ids = Array.from(t.data as BigInt64Array | Int32Array, Number);
  if (!ids.every((id) => Number.isSafeInteger(id) && id >= 0))
    throw refuse(name, 'input_ids holds a negative id');
  return ids;
}

function readSafetensorsStates(file: ImportFileBytes): {
  states: Float32Array;
  shape: [number, number, number];
  dtype: string;
  tokens: TokenList | null;
  model: string | null;
} {
  let parsed: SafetensorsFile;
  try {
    parsed = readSafetensors(file.bytes);
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^safetensors: /, '') : String(error);
    throw refuse(file.name, `it is not a readable safetensors file (${why})`);
  }
  const tensor = statesTensor(file.name, parsed);
  const shape = statesShape(file.name, tensor.shape);
  if (
    !(tensor.dtype === 'F32' || tensor.dtype === 'F64' || tensor.dtype === 'F16' || tensor.dtype === 'BF16')
  )
    throw refuse(file.name, `the states are ${tensor.dtype}; LinScope reads F32, F64, F16 or BF16`);
  const ids = parsed.tensors.has('input_ids')
    ? idsOfTensor(file.name, parsed.tensors.get('input_ids') as SafeTensor)
    : null;
  let texts: readonly string[] | null = null;
  if (parsed.metadata.tokens !== undefined) {
    try {
      texts = tokenListFromJson(JSON.parse(parsed.metadata.tokens)).texts;
    } catch {
      throw refuse(file.name, 'its metadata entry "tokens" is not a JSON list of token strings');
    }
    if (texts === null)
      throw refuse(file.name, 'its metadata entry "tokens" is not a JSON list of token strings');
  }
  if (ids !== null && texts !== null && ids.length !== texts.length)
    throw refuse(
      file.name,
      `input_ids (${ids.length}) and the metadata's tokens (${texts.length}) differ in length`,
    );
  return {
    states: toFloat32(tensor),
    shape,
    dtype: tensor.dtype,
    tokens: ids === null && texts === null ? null : { ids, texts },
    model:
      typeof parsed.metadata.model === 'string' && parsed.metadata.model.length > 0
        ? parsed.metadata.model
        : null,
  };
}

function readNpyStates(file: ImportFileBytes): {
  states: Float32Array;
  shape: [number, number, number];
  dtype: string;
} {
  let array: ReturnType<typeof readNpy>;
  try {
    array = readNpy(file.bytes);
  } catch (error) {
    if (error instanceof NpyError)
      throw refuse(file.name, `it is not a .npy array LinScope reads: ${error.message}`);
    throw error;
  }
  const shape = statesShape(file.name, array.shape);
  let states: Float32Array;
  if (array.data instanceof Float32Array) states = array.data;
  else if (array.data instanceof Float64Array) states = Float32Array.from(array.data);
  else states = Float32Array.from(array.data, halfToNumber);
  return { states, shape, dtype: { f2: 'F16', f4: 'F32', f8: 'F64' }[array.kind] };
}

/**
 * The states file and optional token list among `files`, read and checked. Throws BAD_INPUT naming
 * the file and saying what is wrong (and what to do).
 */
export function readHiddenStatesImport(files: readonly ImportFileBytes[]): ImportedHiddenStates {
  const statesFiles = files.filter((f) => isStatesFileName(f.name));
  const tokenFiles = files.filter((f) => isTokenListFileName(f.name));
  const others = files.filter((f) => !isStatesFileName(f.name) && !isTokenListFileName(f.name));
  if (others.length > 0)
    throw refuse(
      others[0].name,
      'LinScope opens .safetensors and .npy hidden states, with a .json or .txt token list',
    );
  if (statesFiles.length !== 1)
    throw new LinScopeError(
      'BAD_INPUT',
      statesFiles.length === 0
        ? 'Choose one hidden-state file (.safetensors or .npy); a token list alone cannot be analysed.'
        : `Choose one hidden-state file at a time (${statesFiles.map((f) => f.name).join(', ')} were chosen).`,
    );
  if (tokenFiles.length > 1)
    throw new LinScopeError(
      'BAD_INPUT',
      `Choose at most one token list (${tokenFiles.map((f) => f.name).join(', ')} were chosen).`,
    );
  const [file] = statesFiles;
  const notes: string[] = [];
  const read = /\.npy$/i.test(file.name)
    ? { ...readNpyStates(file), tokens: null, model: null }
    : readSafetensorsStates(file);
  const [S, T, d] = read.shape;
  let tokens = read.tokens;
  const tokenFile = tokenFiles[0];
  if (tokenFile) {
    try {
      tokens = readTokenListFile(
        tokenFile.name,
        new TextDecoder('utf-8', { fatal: true }).decode(tokenFile.bytes),
      );
    } catch (error) {
      if (error instanceof TokenListError)
        throw refuse(tokenFile.name, `it is not a token list: ${error.message}`);
      if (error instanceof TypeError) throw refuse(tokenFile.name, 'it is not UTF-8 text');
      throw error;
    }
    if (read.tokens)
      notes.push(`The tokens of ${tokenFile.name} were used instead of those in ${file.name}.`);
  }
  if (tokens && tokenListLength(tokens) !== T)
    throw refuse(
      tokenFile?.name ?? file.name,
      `the token list has ${tokenListLength(tokens)} tokens, but the states have T = ${T}`,
    );
  if (!tokens) notes.push('No token ids or strings came with the states: tokens are shown by position.');
  else if (!tokens.texts) notes.push('Only token ids came with the states: tokens are shown as ‹id›.');
  const data = finiteFloat32(file.name, read.states, read.shape);
  const resultTokens: ResultToken[] = Array.from({ length: T }, (_, t) => {
    const id = tokens?.ids?.[t] ?? null;
    return { id: id ?? 0, text: tokens?.texts?.[t] ?? `‹${id ?? t}›`, doc: 0 };
  });
  return {
    name: file.name,
    modelId: read.model ?? `imported/${stem(file.name)}`,
    dtype: read.dtype,
    states: { data, states: S, tokens: T, hidden: d },
    tokens: resultTokens,
    notes,
  };
}
