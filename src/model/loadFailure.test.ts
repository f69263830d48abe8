import { describe, expect, it } from 'vitest';
import { LinScopeError } from '../errors';
import { FetchFailures } from './fetchFailures';
import { DamagedModelFile, damagedWeightsText, loadFailure } from './loadFailure';

function named(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, extra);
}

const codeOf = (error: unknown) => (error instanceof LinScopeError ? error.code : null);

describe('loadFailure()', () => {
  it('calls a missing file or repository MODEL_NOT_FOUND, naming the part', () => {
    const e = loadFailure(
      named('ModelFileNotFoundError', 'file was not found locally at "x"'),
      'a/b',
      'tokenizer',
    );
    expect(codeOf(e)).toBe('MODEL_NOT_FOUND');
    expect((e as Error).message).toContain('"a/b"');
    expect((e as Error).message).toContain('tokenizer is missing');
    expect(codeOf(loadFailure(named('Error', 'no such file', { code: 'ENOENT' }), 'm', 'config'))).toBe(
      'MODEL_NOT_FOUND',
    );
  });

  it('calls a missing ONNX variant UNSUPPORTED_GRAPH, naming the file to look for', () => {
    const e = loadFailure(
      named('ModelFileNotFoundError', 'not found at "m/onnx/model_q4.onnx"'),
      'm',
      'weights',
      'q4',
    );
    expect(codeOf(e)).toBe('UNSUPPORTED_GRAPH');
    expect((e as Error).message).toContain('onnx/model_q4.onnx');
  });

  it('calls a failed fetch MODEL_UNREACHABLE (Node and browser wording)', () => {
    for (const message of ['fetch failed', 'Failed to fetch'])
      expect(codeOf(loadFailure(new TypeError(message), 'org/model', 'config'))).toBe('MODEL_UNREACHABLE');
  });

  it("calls a tokenizer whose files did not come MODEL_NOT_FOUND, not transformers.js' TypeError", () => {
    const e = loadFailure(
      new TypeError("Cannot read properties of undefined (reading 'tokenizer_class')"),
      'linscope/tiny-gpt2',
      'tokenizer',
    );
    expect(codeOf(e)).toBe('MODEL_NOT_FOUND');
    expect((e as Error).message).toBe(
      'Model "linscope/tiny-gpt2" could not be loaded: its tokenizer files (tokenizer.json, tokenizer_config.json) could not be fetched.',
    );
    expect((e as Error).message).not.toContain('TypeError');
  });

  it('calls an unreadable config or tokenizer BAD_INPUT and leaves session failures alone', () => {
    expect(codeOf(loadFailure(new SyntaxError('Unexpected token }'), 'm', 'config'))).toBe('BAD_INPUT');
    const ort = new Error('Load model failed: protobuf parsing failed');
    expect(loadFailure(ort, 'm', 'weights')).toBe(ort);
    const coded = new LinScopeError('ABORTED', 'Cancelled.');
    expect(loadFailure(coded, 'm', 'weights')).toBe(coded);
  });
});

describe('a damaged ONNX file', () => {
  it('names the model and file, says what to do, and stays a DamagedModelFile (the worker forgets the copy)', () => {
    const e = loadFailure(
      new DamagedModelFile('334 bytes that do not read as an ONNX model: x'),
      'a/b',
      'weights',
      'q8',
    );
    expect(e).toBeInstanceOf(DamagedModelFile);
    expect((e as DamagedModelFile).code).toBe('BAD_INPUT');
    expect((e as Error).message).toBe(
      'Model "a/b": its weights (onnx/model_quantized.onnx) are damaged or incomplete (334 bytes that do not read as an ONNX model: x). ' +
        'If they were downloaded, press Analyze to download them again (the damaged copy is not kept); ' +
        'a file from your disk must be copied or exported again.',
    );
  });

  it('carries which file is damaged and where it came from, for the command line to word its advice', () => {
    const damaged = (fromHub: boolean) =>
      loadFailure(new DamagedModelFile('cut short'), 'a/b', 'weights', 'fp32', fromHub) as DamagedModelFile;
    expect(damaged(true).weights).toEqual({
      id: 'a/b',
      file: 'onnx/model.onnx',
      detail: 'cut short',
      fromHub: true,
    });
    expect(damaged(false).weights?.fromHub).toBe(false);
    expect(
      damagedWeightsText({ id: 'a/b', file: 'onnx/model.onnx', detail: 'cut short', fromHub: false }),
    ).toBe('Model "a/b": its weights (onnx/model.onnx) are damaged or incomplete (cut short).');
    // Before the model is known (thrown by the runtime), nothing is said of which file.
    expect(new DamagedModelFile('cut short').weights).toBeNull();
  });
});

describe('a missing weights variant', () => {
  const missing = (folder: string) =>
    named(
      'ModelFileNotFoundError',
      `\`local_files_only=true\` or \`env.allowRemoteModels=false\` and file was not found locally at "${folder}/onnx/model_q4.onnx".`,
    );
  const message = (probe?: (path: string) => boolean | undefined) =>
    (loadFailure(missing('/m/old'), 'old', 'weights', 'q4', false, undefined, probe) as Error).message;

  it("says what the folder's merged decoder is where it has one, and asks for it beside the missing file", () => {
    const asked: string[] = [];
    const text = message((path) => {
      asked.push(path);
      return true;
    });
    expect(asked).toEqual(['/m/old/onnx/decoder_model_merged.onnx']);
    expect(text).toBe(
      'Model "old" has no onnx/model_q4.onnx (the q4 variant). Try another dtype. ' +
        'Its onnx/decoder_model_merged.onnx is an older export that keeps its layers inside an If node, which LinScope cannot read: ' +
        'use a transformers.js v3+ export of the model (onnx/model.onnx and its variants).',
    );
  });

  it('says nothing of merged decoders where the folder has none', () => {
    expect(message(() => false)).toBe(
      'Model "old" has no onnx/model_q4.onnx (the q4 variant). Try another dtype.',
    );
  });

  it('says what older exports do where the folder cannot be looked at (a Hub or served model)', () => {
    for (const probe of [undefined, () => undefined])
      expect(message(probe)).toMatch(
        /Try another dtype\. Older exports keep their layers inside onnx\/decoder_model_merged\.onnx \(an If node\)/,
      );
  });
});

describe('a network failure', () => {
  it('is the Hub’s for a Hub model, and the connection’s for a model served beside the app', () => {
    const failed = new TypeError('Failed to fetch');
    expect((loadFailure(failed, 'a/b', 'weights', 'fp32') as Error).message).toMatch(
      /^The Hugging Face Hub could not be reached to load "a\/b"/,
    );
    const here = loadFailure(failed, 'fixtures/x', 'weights', 'fp32', false) as LinScopeError;
    expect(here.code).toBe('MODEL_UNREACHABLE');
    expect(here.message).toBe(
      'The files of model "fixtures/x" could not be downloaded (Failed to fetch). Check the connection and press Analyze to try again.',
    );
  });
});

describe('a request for a model file served here that got no answer', () => {
  // What transformers.js throws when a local file's request rejects (it swallows the rejection).
  const notFoundLocally = (path: string) =>
    named(
      'ModelFileNotFoundError',
      `\`local_files_only=true\` or \`env.allowRemoteModels=false\` and file was not found locally at "${path}".`,
    );
  const WEIGHTS = '/models/linscope/tiny-gpt2/onnx/model.onnx';

  it('says the site could not be reached, naming the file, instead of calling the file missing', () => {
    const failures = new FetchFailures();
    failures.record(WEIGHTS, new TypeError('Failed to fetch'));
    const error = loadFailure(
      notFoundLocally(WEIGHTS),
      'linscope/tiny-gpt2',
      'weights',
      'fp32',
      false,
      failures,
    ) as LinScopeError;
    expect(error.code).toBe('MODEL_UNREACHABLE');
    expect(error.message).toBe(
      'The site could not be reached to load onnx/model.onnx of model "linscope/tiny-gpt2" (Failed to fetch): the connection failed before any answer came. Check the connection, then press Analyze to retry.',
    );
    // Told once: the same error again (the file answered 404 meanwhile) is a missing file.
    const again = loadFailure(
      notFoundLocally(WEIGHTS),
      'linscope/tiny-gpt2',
      'weights',
      'fp32',
      false,
      failures,
    );
    expect(codeOf(again)).toBe('UNSUPPORTED_GRAPH');
  });

  it('leaves a 404 a missing file: the merged-If refusal and a missing config keep their words', () => {
    const failures = new FetchFailures();
    // Another file's failure, and one answered since, say nothing of this one.
    failures.record('/models/linscope/tiny-gpt2/config.json', new TypeError('Failed to fetch'));
    failures.record(WEIGHTS, new TypeError('Failed to fetch'));
    failures.answered(WEIGHTS);
    const merged = loadFailure(
      notFoundLocally('/models/fixtures/merged-if-gpt2/onnx/model.onnx'),
      'fixtures/merged-if-gpt2',
      'weights',
      'fp32',
      false,
      failures,
    ) as LinScopeError;
    expect(merged.code).toBe('UNSUPPORTED_GRAPH');
    expect(merged.message).toMatch(/has no onnx\/model\.onnx .*decoder_model_merged\.onnx/);
    const weights = loadFailure(
      notFoundLocally(WEIGHTS),
      'linscope/tiny-gpt2',
      'weights',
      'fp32',
      false,
      failures,
    );
    expect(codeOf(weights)).toBe('UNSUPPORTED_GRAPH');
    const config = loadFailure(
      notFoundLocally('/models/fixtures/x/config.json'),
      'fixtures/x',
      'config',
      undefined,
      false,
      failures,
    );
    expect(codeOf(config)).toBe('MODEL_NOT_FOUND');
  });

  it('says so for tokenizer files that got no answer too', () => {
    const failures = new FetchFailures();
    failures.record('/models/linscope/tiny-gpt2/tokenizer_config.json', new TypeError('Failed to fetch'));
    const unloaded = new TypeError("Cannot read properties of undefined (reading 'tokenizer_class')");
    const error = loadFailure(unloaded, 'linscope/tiny-gpt2', 'tokenizer', undefined, false, failures);
    expect((error as Error).message).toMatch(
      /^The site could not be reached to load tokenizer_config\.json of model "linscope\/tiny-gpt2" \(Failed to fetch\)/,
    );
  });
});
