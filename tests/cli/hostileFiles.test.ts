/**
 * The command line against files that are not what they should be: outputs that lead through links
 * or into pipes, that cannot be written or would overwrite an input; texts that are not UTF-8; model
 * folders with missing, cut-short or NaN weights or an unknown architecture; a shard given twice; a
 * reader that closes the pipe early. Each either works as it should or exits 2 with one line, and
 * nothing is written or destroyed.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinScopeResult } from '../../src/job/result';
import { linscope } from '../support/cli';
import { PUBLIC_MODELS, ROOT } from '../support/models';

const MODEL = join(PUBLIC_MODELS, 'linscope/tiny-gpt2');
const TEXT = 'The cat sat on the mat and looked at the dog.';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'linscope-hostile-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A one-line refusal, exit 2. */
function expectRefusal(r: ReturnType<typeof linscope>, reason: RegExp): void {
  expect(r.stderr).toMatch(reason);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.status).toBe(2);
}

const analyze = (...args: string[]) => linscope('analyze', '--model', MODEL, '--no-reference', ...args);

describe('outputs', () => {
  it('writes through a symbolic link to its target, and leaves the link a link', () => {
    const target = join(work, 'target.json');
    const link = join(work, 'link.json');
    writeFileSync(target, 'old');
    symlinkSync('target.json', link);
    const r = analyze('--text', TEXT, '--out', link);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect((JSON.parse(readFileSync(target, 'utf8')) as LinScopeResult).schema).toBe('linscope.result/v1');
  });

  it('writes into a named pipe, which stays a pipe', async () => {
    const fifo = join(work, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    const closed = new Promise((resolve) => reader.on('close', resolve));
    const r = analyze('--text', TEXT, '--out', fifo);
    await closed;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect((JSON.parse(received) as LinScopeResult).schema).toBe('linscope.result/v1');
  });

  it('refuses, before running, an output in a missing folder, and writes none of the others', () => {
    const dump = join(work, 'never-hidden.safetensors');
    expectRefusal(
      analyze('--text', TEXT, '--dump-hidden', dump, '--out', join(work, 'no-such-folder', 'r.json')),
      /--out .*no-such-folder\/r\.json: the folder .* does not exist/,
    );
    expect(existsSync(dump)).toBe(false);
  });

  it('refuses a folder as the output and leaves no partial file beside it', () => {
    const folder = join(work, 'a-folder');
    mkdirSync(folder);
    expectRefusal(analyze('--text', TEXT, '--out', folder), /--out .*a-folder is a folder/);
    expect(readdirSync(work).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('refuses to write the result over its input, or two outputs on one file', () => {
    const input = join(work, 'input.txt');
    writeFileSync(input, TEXT);
    expectRefusal(
      analyze('--input', input, '--out', input),
      /--out .*input\.txt is the same file as --input .*input\.txt/,
    );
    expect(readFileSync(input, 'utf8')).toBe(TEXT);
    const same = join(work, 'same.bin');
    expectRefusal(
      analyze('--text', TEXT, '--out', same, '--dump-hidden', same),
      /--dump-hidden .*same\.bin is the same file as --out/,
    );
    expect(existsSync(same)).toBe(false);
    // Through a link, too.
    symlinkSync('input.txt', join(work, 'input-link.txt'));
    expectRefusal(
      analyze('--input', input, '--out', join(work, 'input-link.txt')),
      /is the same file as --input/,
    );
  });

  it('ends quietly when the reader closes the pipe early', () => {
    const r = spawnSync(
      'sh',
      [
        '-c',
        `node "${join(ROOT, 'cli/bin.mjs')}" analyze --model "${MODEL}" --no-reference --text "${TEXT}" | head -c 10`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toHaveLength(10);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

/**
 * `linscope` as a user who may not read what root can: run through `runuser -u nobody` when these
 * tests run as root (where nobody can read the repository), directly otherwise; null where neither.
 */
function asUnprivileged(): ((...args: string[]) => ReturnType<typeof linscope>) | null {
  const bin = join(ROOT, 'cli/bin.mjs');
  const run =
    (prefix: string[]) =>
    (...args: string[]) => {
      const r = spawnSync(prefix[0], [...prefix.slice(1), process.execPath, bin, ...args], {
        encoding: 'utf8',
        cwd: tmpdir(),
        timeout: 120_000,
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
  if (process.getuid?.() !== 0) return (...args: string[]) => linscope(...args);
  const probe = spawnSync('runuser', ['-u', 'nobody', '--', 'test', '-r', bin]);
  return probe.status === 0 ? run(['runuser', '-u', 'nobody', '--']) : null;
}

describe('files that cannot be read', () => {
  const unprivileged = asUnprivileged();

  it.skipIf(unprivileged === null)('names the file that cannot be read, in one line', () => {
    if (!unprivileged) return;
    const root = mkdtempSync(join(tmpdir(), 'linscope-unreadable-'));
    try {
      chmodSync(root, 0o755);
      const text = join(root, 'text.txt');
      writeFileSync(text, TEXT);
      chmodSync(text, 0);
      expectRefusal(
        unprivileged('analyze', '--model', MODEL, '--no-reference', '--input', text),
        /cannot read input file .*text\.txt: permission denied/,
      );
      const weights = join(root, 'weights');
      cpSync(MODEL, weights, { recursive: true });
      chmodSync(join(weights, 'onnx/model.onnx'), 0);
      expectRefusal(
        unprivileged('analyze', '--model', weights, '--no-reference', '--text', TEXT),
        /weights\/onnx\/model\.onnx cannot be read \(permission denied\)/,
      );
      const folder = join(root, 'folder');
      cpSync(MODEL, folder, { recursive: true });
      chmodSync(folder, 0);
      expectRefusal(
        unprivileged('analyze', '--model', folder, '--no-reference', '--text', TEXT),
        /folder cannot be read \(permission denied\)/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('texts read as the page reads an upload', () => {
  const tokensOf = (path: string) => {
    const r = analyze('--input', path);
    expect(r.stderr).toBe('');
    return (JSON.parse(r.stdout) as LinScopeResult).tokens.map((t) => t.id);
  };

  it('drops a byte-order mark', () => {
    const plain = join(work, 'plain.txt');
    const bom = join(work, 'bom.txt');
    writeFileSync(plain, TEXT);
    writeFileSync(bom, `\ufeff${TEXT}`);
    expect(readFileSync(bom)[0]).toBe(0xef);
    expect(tokensOf(bom)).toEqual(tokensOf(plain));
  });

  it('refuses text that is not UTF-8, and binary files', () => {
    const latin1 = join(work, 'latin1.txt');
    writeFileSync(latin1, Buffer.from('caf\xe9 au lait', 'latin1'));
    expectRefusal(analyze('--input', latin1), /latin1\.txt” is not UTF-8 text/);
    const binary = join(work, 'binary.txt');
    writeFileSync(binary, Buffer.from([0x68, 0x69, 0x00, 0x01, 0x02]));
    expectRefusal(analyze('--input', binary), /looks like a binary file/);
    expectRefusal(
      linscope('analyze', '--model', MODEL, '--text', TEXT, '--reference', binary),
      /looks like a binary file/,
    );
  });

  it('splits --text into documents with --corpus, and refuses an empty reference corpus', () => {
    const r = analyze('--corpus', '--text', 'One document here.\n\nAnd another one.');
    expect(r.stderr).toBe('');
    const tokens = (JSON.parse(r.stdout) as LinScopeResult).tokens as { doc: number }[];
    expect(new Set(tokens.map((t) => t.doc))).toEqual(new Set([0, 1]));
    const empty = join(work, 'empty-reference.txt');
    writeFileSync(empty, '  \n\n ');
    expectRefusal(
      linscope('analyze', '--model', MODEL, '--text', TEXT, '--reference', empty),
      /reference file .*empty-reference\.txt holds no text/,
    );
  });

  it('reads a .JSONL file (any case) as a corpus of documents', () => {
    const upper = join(work, 'DOCS.JSONL');
    writeFileSync(
      upper,
      `${JSON.stringify({ text: 'One document here.' })}\n${JSON.stringify('And another one.')}\n`,
    );
    const r = analyze('--input', upper);
    expect(r.stderr).toBe('');
    const tokens = (JSON.parse(r.stdout) as LinScopeResult).tokens as { text: string; doc: number }[];
    expect(tokens.map((t) => t.text).join('')).toBe('One document here.And another one.');
    expect(new Set(tokens.map((t) => t.doc))).toEqual(new Set([0, 1]));
  });
});

describe('model folders that are damaged', () => {
  const FORMATS = join(PUBLIC_MODELS, 'fixtures/formats-llama');
  const copy = (name: string, from = FORMATS) => {
    const folder = join(work, 'models', name);
    cpSync(from, folder, { recursive: true });
    return folder;
  };
  const run = (folder: string) => linscope('analyze', '--model', folder, '--no-reference', '--text', TEXT);

  it('names the missing weights file beside the graph', () => {
    const folder = copy('no-data');
    rmSync(join(folder, 'onnx/model.onnx_data'));
    expectRefusal(run(folder), /is missing onnx\/model\.onnx_data, the file its graph keeps its weights in/);
    // Where config.json does not announce it, LinScope finds it missing in the graph itself.
    const quiet = copy('no-data-unannounced');
    rmSync(join(quiet, 'onnx/model.onnx_data'));
    const config = JSON.parse(readFileSync(join(quiet, 'config.json'), 'utf8'));
    delete config['transformers.js_config'];
    writeFileSync(join(quiet, 'config.json'), JSON.stringify(config));
    expectRefusal(run(quiet), /keeps its weights in "model\.onnx_data", which is not beside the model file/);
  });

  it('calls a weights file cut short damaged, with how much is missing', () => {
    const folder = copy('cut-short');
    const data = readFileSync(join(folder, 'onnx/model.onnx_data'));
    writeFileSync(join(folder, 'onnx/model.onnx_data'), data.subarray(0, 100_000));
    const r = run(folder);
    expectRefusal(
      r,
      new RegExp(
        `are damaged or incomplete \\(model\\.onnx_data is 100,000 bytes, but the graph reads ${data.length.toLocaleString('en')} bytes from it`,
      ),
    );
    // In the command line's words: there is no Analyze button here.
    expect(r.stderr).toMatch(
      /Copy or export the model’s files into its folder again, then run the command again\.\n$/,
    );
    expect(r.stderr).not.toMatch(/Analyze/);
  });

  it('names a missing weights variant, with the merged-decoder aside only where the folder has one', () => {
    const plain = linscope(
      'analyze',
      '--model',
      join(PUBLIC_MODELS, 'fixtures/tiny-random-gpt2'),
      '--dtype',
      'q4',
      '--no-reference',
      '--text',
      TEXT,
    );
    expectRefusal(plain, /has no onnx\/model_q4\.onnx \(the q4 variant\)\. Try another dtype\.\n$/);
    expect(plain.stderr).not.toMatch(/decoder_model_merged/);
    expectRefusal(
      run(join(PUBLIC_MODELS, 'fixtures/merged-if-gpt2')),
      /has no onnx\/model\.onnx \(the fp32 variant\)\. Try another dtype\. Its onnx\/decoder_model_merged\.onnx is an older export that keeps its layers inside an If node/,
    );
  });

  it('says so when the weights compute NaN', () => {
    const folder = copy('nan-weights');
    const size = readFileSync(join(folder, 'onnx/model.onnx_data')).length;
    writeFileSync(
      join(folder, 'onnx/model.onnx_data'),
      new Uint8Array(new Float32Array(size / 4).fill(Number.NaN).buffer),
    );
    expectRefusal(
      run(folder),
      /The model computed a non-finite value \(NaN\) in hidden state \d+ at token \d+ of the text/,
    );
  });

  it('names an architecture transformers.js does not know, and a config without one', () => {
    const unknown = copy('unknown-type', MODEL);
    const config = JSON.parse(readFileSync(join(unknown, 'config.json'), 'utf8'));
    writeFileSync(join(unknown, 'config.json'), JSON.stringify({ ...config, model_type: 'foobar' }));
    expectRefusal(run(unknown), /names the architecture "foobar", which transformers\.js cannot load/);
    const empty = copy('null-config', MODEL);
    writeFileSync(join(empty, 'config.json'), 'null');
    expectRefusal(run(empty), /its config\.json gives no model_type/);
  });
});

describe('a config.json that is not the weights’', () => {
  const withConfig = (name: string, change: Record<string, unknown>) => {
    const folder = join(work, 'configs', name);
    cpSync(MODEL, folder, { recursive: true });
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    writeFileSync(join(folder, 'config.json'), JSON.stringify({ ...config, ...change }));
    return folder;
  };

  it('refuses a hidden size the graph’s cache does not take, before running', () => {
    const folder = withConfig('wrong-width', { n_embd: 64 });
    expectRefusal(
      linscope('analyze', '--model', folder, '--no-reference', '--text', TEXT),
      /config\.json does not match the weights: its graph's cache \(past_key_values\.0\.key\) takes 4 key\/value heads of size 32, and config\.json gives 4 of size 16/,
    );
  });

  it('says in one line which window failed, and why, when the model cannot run it', () => {
    const folder = withConfig('too-long', { n_positions: 1e12 });
    const long = join(work, 'long.txt');
    writeFileSync(long, Array.from({ length: 400 }, (_, i) => String(i)).join(' '));
    const r = linscope('analyze', '--model', folder, '--no-reference', '--input', long);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^linscope: The model failed to run on a window of \d+ tokens: .*Gather.*Its config\.json may not match its weights/,
    );
    // With a window the model takes, it runs.
    const ok = linscope('analyze', '--model', folder, '--no-reference', '--input', long, '--window', '256');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });
});

describe('experiments and shards', () => {
  it('refuses block replacement on a text with no next token to predict', () => {
    expectRefusal(
      linscope('linearize', '--model', MODEL, '--text', 'a', '--layers', '1'),
      /this text has none to predict \(1 token\)/,
    );
  });

  it('refuses a stats shard given twice, by path or as a copy', () => {
    const shard = join(work, 'shard.safetensors');
    const r = linscope('stats', '--model', MODEL, '--text', TEXT, '--out', shard);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectRefusal(linscope('reduce', shard, shard), /stats file .*shard\.safetensors is given twice/);
    const copied = join(work, 'shard-copy.safetensors');
    cpSync(shard, copied);
    expectRefusal(linscope('reduce', shard, copied), /hold the same statistics/);
  });
});
