import { describe, expect, it } from 'vitest';
import { commandLineMessage } from '../../cli/messages';
import { LinScopeError } from '../../src/errors';
import { DamagedModelFile, loadFailure } from '../../src/model/loadFailure';

const damaged = (id: string, fromHub: boolean) =>
  loadFailure(
    new DamagedModelFile('334 bytes that do not read as an ONNX model: x'),
    id,
    'weights',
    'q8',
    fromHub,
  ) as DamagedModelFile;

describe('commandLineMessage()', () => {
  it('tells a damaged folder model to copy its files again, with no Analyze button to press', () => {
    const line = commandLineMessage(damaged('/data/models/gpt2', false), '/cache');
    expect(line).toBe(
      'Model "/data/models/gpt2": its weights (onnx/model_quantized.onnx) are damaged or incomplete (334 bytes that do not read as an ONNX model: x). ' +
        'Copy or export the model’s files into its folder again, then run the command again.',
    );
    expect(line).not.toMatch(/Analyze/);
  });

  it('tells a damaged Hub download where the kept copy is to delete, then to run the command again', () => {
    const line = commandLineMessage(damaged('Xenova/gpt2', true), '/home/u/.cache/transformers');
    expect(line).toMatch(
      /^Model "Xenova\/gpt2": its weights \(onnx\/model_quantized\.onnx\) are damaged or incomplete/,
    );
    expect(line).toMatch(
      / Delete the downloaded copy \(\/home\/u\/\.cache\/transformers\/Xenova\/gpt2\) and run the command again to download it again\.$/,
    );
    expect(line).not.toMatch(/Analyze/);
    expect(commandLineMessage(damaged('Xenova/gpt2', true), null)).toMatch(
      /Delete the downloaded copy in transformers\.js’s cache and run the command again/,
    );
  });

  it('prints any other error as its first line, a damaged file not yet tied to a model included', () => {
    expect(commandLineMessage(new LinScopeError('BAD_INPUT', 'first line\nsecond'), '/cache')).toBe(
      'first line',
    );
    expect(commandLineMessage(new DamagedModelFile('cut short'), '/cache')).toBe('cut short');
  });
});
