/**
 * `linscope analyze` as a user runs it: a child process, exit codes, the result JSON of the contract,
 * and --dump-hidden holding the PyTorch reference's hidden states.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinScopeResult } from '../../src/job/result';
import { moveWeightsOutOfLine } from '../../src/model/onnx/weightsOutOfLine';
import { getTensor, readSafetensors, toFloat32 } from '../../src/share/safetensors';
import { linscope } from '../support/cli';
import { convertStories260K, ROOT, STORIES_ID } from '../support/models';

describe('linscope analyze', () => {
  let models: Awaited<ReturnType<typeof convertStories260K>>;
  let modelDir: string;
  let work: string;

  beforeAll(async () => {
    models = await convertStories260K();
    modelDir = join(models.root, STORIES_ID);
    work = mkdtempSync(join(tmpdir(), 'linscope-cli-'));
  });
  afterAll(async () => {
    await models?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes the result JSON and the hidden states of PyTorch for the reference prompt', () => {
    const reference = JSON.parse(
      readFileSync(join(ROOT, 'tests/fixtures/stories260k/reference.json'), 'utf8'),
    );
    const out = join(work, 'result.json');
    const dump = join(work, 'hidden.safetensors');
    const r = linscope(
      'analyze',
      '--model',
      modelDir,
      '--text',
      reference.prompt.text,
      '--out',
      out,
      '--dump-hidden',
      dump,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);

    const result = JSON.parse(readFileSync(out, 'utf8'));
    const T = reference.prompt.ids.length;
    expect(result.schema).toBe('linscope.result/v1');
    // Where it ran: onnxruntime-node on the CPU, the version the installed package declares.
    const ortNodePackage = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8'),
    );
    expect(result.runtime).toEqual({ backend: 'cpu', adapter: null, onnxruntime: ortNodePackage.version });
    expect(result.model).toMatchObject({ id: modelDir, layers: 5, hidden: 64, dtype: 'fp32' });
    expect(result.tokens.map((t: { id: number }) => t.id)).toEqual(reference.prompt.ids);
    expect(result.layers).toHaveLength(5);
    expect(result.layers.map((l: { pair: number[] }) => l.pair)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
    // 16 tokens in 64 dimensions: a least-squares map can interpolate them, so the score is null.
    for (const layer of result.layers)
      expect(layer).toMatchObject({ linearity: null, n: T, d: 64, chanceFloor: null });
    expect(result.perToken.nonlinearity).toHaveLength(5);
    expect(result.perToken.nonlinearity[0]).toHaveLength(T);
    // A story model gets the stories reference: 4,096 tokens in whole windows (its context: 512) drawn
    // from across its 80 stories, most of them a story each.
    expect(result.perToken.reference).toMatchObject({
      source: 'bundled',
      name: 'reference-stories.txt',
      tokens: 4096,
      corpusDocuments: 80,
      sampling: { rule: 'seeded-windows', seed: 1, chunkTokens: 512 },
      heldOut: { tokens: 2048 },
    });
    expect(result.perToken.reference.documents).toBeGreaterThanOrEqual(12);
    expect(result.perToken.calibration.heldOutFlashRate).toHaveLength(5);

    const mine = readSafetensors(new Uint8Array(readFileSync(dump)));
    const torch = readSafetensors(
      new Uint8Array(readFileSync(join(ROOT, 'tests/fixtures/stories260k/reference.safetensors'))),
    );
    for (const name of ['hidden_states', 'last_block_output']) {
      const a = toFloat32(getTensor(mine, name));
      const b = toFloat32(getTensor(torch, name));
      expect(getTensor(mine, name).shape).toEqual(getTensor(torch, name).shape);
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
      expect(diff).toBeLessThanOrEqual(1e-4);
    }
    expect(Array.from(toFloat32(getTensor(mine, 'input_ids')))).toEqual(reference.prompt.ids);
  });

  it('fits the reference maps on exactly max(4096, 8 x d) reference tokens, whatever the window length', () => {
    // Windows of 100 ids, drawn whole: the last window drawn is cut short so that exactly 4,096
    // (more than 8 x 64) are fitted on.
    const r = linscope('analyze', '--model', modelDir, '--text', 'Tom had a red ball.', '--window', '100');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).perToken.reference.tokens).toBe(4096);
  });

  it('reads a .jsonl corpus and pools its documents', () => {
    const corpus = join(work, 'corpus.jsonl');
    writeFileSync(corpus, '{"text": "Tom had a red ball."}\n"The sun was hot."\n');
    const r = linscope('analyze', '--model', modelDir, '--input', corpus, '--no-reference');
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(new Set(result.tokens.map((t: { doc: number }) => t.doc))).toEqual(new Set([0, 1]));
    expect(result.perToken).toBeNull();
    expect(result.layers[0].n).toBe(result.tokens.length);
  });

  it('--kernel wasm --threads 2 fits and scores on two pair workers with the numbers of one thread; native products agree', () => {
    // About 1000 tokens of the bundled corpus: n > d = 64, so every score is a number.
    const text = join(work, 'long.txt');
    writeFileSync(text, readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8').slice(0, 4000));
    const run = (...extra: string[]) => {
      // With the bundled reference: its maps are fitted on the pair workers too.
      const r = linscope('analyze', '--model', modelDir, '--input', text, ...extra);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as LinScopeResult;
    };
    const one = run('--kernel', 'wasm', '--threads', '1');
    const two = run('--kernel', 'wasm', '--threads', '2');
    expect(one.layers[0].n).toBeGreaterThan(500);
    for (const layer of one.layers) expect(layer.linearity).toBeGreaterThan(0);
    expect(one.perToken?.nonlinearity).toHaveLength(5);
    expect(two).toEqual(one);
    // The default: products big enough go to onnxruntime-node's GEMM (d = 64 keeps most of this
    // model's in WebAssembly; tests/engine/nativeProducts.test.ts sends every product there).
    const native = run('--threads', '2');
    expect(native.tokens).toEqual(one.tokens);
    native.layers.forEach((layer, l) => {
      for (const key of ['linearity', 'linearityNoResidual'] as const)
        expect(Math.abs((layer[key] ?? 0) - (one.layers[l][key] ?? 0))).toBeLessThan(1e-12);
    });
    // Three runs, each fitting the reference anew.
  }, 240_000);

  it('reads a model folder under any name, not only one that reads as a Hub id, with its weights beside it', () => {
    // formats-llama keeps its weights in onnx/model.onnx_data; transformers.js takes a bare name for
    // a Hub id only if it matches its pattern (no spaces, no "--", ASCII word characters).
    const fixture = join(ROOT, 'public/models/fixtures/formats-llama');
    const results = ['plain-name', 'my model #2 (ünï)', 'org--name'].map((name) => {
      const folder = join(work, 'names', name);
      cpSync(fixture, folder, { recursive: true });
      const out = join(work, `names-${name}.json`);
      const r = linscope(
        'analyze',
        '--model',
        folder,
        '--text',
        'The cat sat on the mat.',
        '--no-reference',
        '--out',
        out,
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const result: LinScopeResult = JSON.parse(readFileSync(out, 'utf8'));
      expect(result.model.id).toBe(folder);
      return result;
    });
    for (const result of results.slice(1)) {
      expect(result.tokens).toEqual(results[0].tokens);
      expect(result.layers).toEqual(results[0].layers);
    }
  });

  it('refuses a model whose weights file lies outside its folder, with a one-line reason', () => {
    const fixture = join(ROOT, 'public/models/fixtures/tiny-random-gpt2');
    const folder = join(work, 'escape');
    cpSync(fixture, folder, { recursive: true });
    const whole = new Uint8Array(readFileSync(join(fixture, 'onnx/model.onnx')));
    writeFileSync(join(folder, 'secret.onnx'), whole);
    const moved = moveWeightsOutOfLine(whole, '../secret.onnx');
    if (!moved) throw new Error('expected weights to move');
    writeFileSync(join(folder, 'onnx/model.onnx'), moved.graph);
    const out = join(work, 'escape.json');
    const r = linscope('analyze', '--model', folder, '--text', 'hi there', '--no-reference', '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/names external data outside its folder \("\.\.\/secret\.onnx"\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [['analyze', '--text', 'hi'], /--model is required/],
    [
      ['analyze', '--model', 'MODEL', '--text', 'hi', '--threads', '0'],
      /--threads must be an integer from 1/,
    ],
    [['analyze', '--model', 'MODEL', '--text', '   '], /the text is empty/],
    [['analyze', '--model', 'MODEL', '--input', '/no/such/file.txt'], /does not exist/],
    [['analyze', '--model', '/no/such/model', '--text', 'hi'], /could not|Could not/],
    [['analyze', '--model', 'MODEL', '--text', 'hi', '--dtype', 'int3'], /--dtype int3/],
    [
      ['analyze', '--model', 'MODEL', '--text', 'hi', '--kernel', 'avx'],
      /--kernel must be one of native, wasm/,
    ],
    [['frobnicate'], /unknown command/],
    [
      ['analyze', '--model', 'MODEL', '--text', 'hi there', '--reference', 'TINY_REFERENCE'],
      /The reference corpus “tiny-reference.txt” has \d+ tokens for a model of width d = 64: per-token maps need more tokens than dimensions/,
    ],
  ])('exits 2 with a one-line reason and writes nothing for bad input %#', (args, reason) => {
    const out = join(work, 'never.json');
    const tinyReference = join(work, 'tiny-reference.txt');
    writeFileSync(tinyReference, 'Once upon a time there was a cat.\n\nThe end.');
    const r = linscope(
      ...args.map((a) => (a === 'MODEL' ? modelDir : a === 'TINY_REFERENCE' ? tinyReference : a)),
      '--out',
      out,
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});
