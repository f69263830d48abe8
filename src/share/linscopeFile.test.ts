import { describe, expect, it } from 'vitest';
import { linscopeFileName, linscopeFileText, parseLinScopeFile } from './linscopeFile';
import { linearizeExample, recordedExample } from './permalink.testing';
import { serializeResult } from './resultJson';

describe('parseLinScopeFile', () => {
  it('round-trips state and the exact result', () => {
    const { state, result } = recordedExample();
    const parsed = parseLinScopeFile(linscopeFileText(state, result));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.state).toEqual(state);
    expect(parsed.result).toEqual(result);
  });

  it('opens a plain result JSON (export-json, CLI --out), its text rebuilt from the tokens', () => {
    const { result } = recordedExample();
    const cli = { ...result, model: { ...result.model, id: '/tmp/models/karpathy/stories260K' } };
    const parsed = parseLinScopeFile(serializeResult(cli));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.state.model.id).toBe('local/stories260K');
    expect(parsed.state.input.text.startsWith('<s> Once upon a time')).toBe(true);
    expect(parsed.notes.join(' ')).toMatch(/rebuilt from its tokens/);
  });

  const { state, result } = recordedExample();
  const file = JSON.parse(linscopeFileText(state, result));
  const broken: { name: string; text: string; message: RegExp }[] = [
    { name: 'not JSON', text: '{"schema": "linscope.sh', message: /not JSON/ },
    { name: 'another JSON', text: '{"hello": 1}', message: /not a LinScope file/ },
    { name: 'a newer file', text: '{"schema": "linscope.share/v9"}', message: /newer LinScope/ },
    {
      name: 'a heatmap row of the wrong length',
      text: JSON.stringify({
        ...file,
        result: { ...file.result, perToken: { ...file.result.perToken, nonlinearity: [[1]] } },
      }),
      message: /one row per layer pair/,
    },
    {
      name: 'a token of the wrong type',
      text: JSON.stringify({ ...file, result: { ...file.result, tokens: [{ id: 'x', text: 1, doc: 0 }] } }),
      message: /a token is malformed/,
    },
    {
      name: 'a score that is a string',
      text: JSON.stringify({
        ...file,
        result: { ...file.result, layers: [{ ...file.result.layers[0], linearity: '0.9' }] },
      }),
      message: /linearity is not a number/,
    },
    {
      name: 'a model of more layers than the result has rows',
      text: JSON.stringify({
        ...file,
        result: { ...file.result, model: { ...file.result.model, layers: 500 } },
      }),
      message: new RegExp(`it has ${file.result.layers.length} layer pairs, and its model has 500 layers`),
    },
    {
      name: 'rows for pairs out of order (the charts key rows by their pairs)',
      text: JSON.stringify({
        ...file,
        result: { ...file.result, layers: file.result.layers.map((l: object) => ({ ...l, pair: [7, 3] })) },
      }),
      message: /layer row 0 is for pair \(7, 3\), not \(0, 1\)/,
    },
    {
      name: 'a row of another width than the model',
      text: JSON.stringify({
        ...file,
        result: { ...file.result, layers: file.result.layers.map((l: object) => ({ ...l, d: 1_048_576 })) },
      }),
      message: new RegExp(
        `layer row 0 has width d = 1048576, and its model's hidden size is ${file.result.model.hidden}`,
      ),
    },
    {
      name: 'a state too few',
      text: JSON.stringify({ ...file, result: { ...file.result, states: file.result.states.slice(1) } }),
      message: new RegExp(
        `it has ${file.result.states.length - 1} states, and ${file.result.layers.length} layers need ${file.result.layers.length + 1}`,
      ),
    },
    {
      name: 'a linearity outside 0..1',
      text: JSON.stringify({
        ...file,
        result: {
          ...file.result,
          layers: [{ ...file.result.layers[0], linearity: 9.5 }, ...file.result.layers.slice(1)],
        },
      }),
      message: /layer pair 0's linearity 9\.5 is not between 0 and 1/,
    },
    {
      name: 'a chance floor below 0',
      text: JSON.stringify({
        ...file,
        result: {
          ...file.result,
          layers: [{ ...file.result.layers[0], chanceFloor: -1 }, ...file.result.layers.slice(1)],
        },
      }),
      message: /layer pair 0's chance floor -1 is not between 0 and 1/,
    },
    {
      name: 'a hostile model id',
      text: JSON.stringify({
        ...file,
        state: { ...file.state, model: { id: '<img src=x onerror=alert(1)>' } },
      }),
      message: /does not accept/,
    },
  ];
  for (const b of broken) {
    it(`refuses ${b.name}`, () => {
      const parsed = parseLinScopeFile(b.text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(b.message);
    });
  }
});

it('linscopeFileName(modelId) names the download after the model and the day', () => {
  expect(linscopeFileName('Xenova/gpt2', new Date('2026-11-29T01:00:00Z'))).toBe(
    'gpt2-2026-11-29.linscope.json',
  );
});

describe('the block-replacement experiment in a .linscope.json file', () => {
  const { state, result } = linearizeExample();

  it('is kept exactly, in a share file and in a plain result JSON', () => {
    const parsed = parseLinScopeFile(linscopeFileText(state, result));
    expect(parsed.ok && parsed.result.linearize).toEqual(result.linearize);
    expect(parsed.ok && parsed.notes).toEqual([]);
    const plain = parseLinScopeFile(serializeResult(result));
    expect(plain.ok && plain.result.linearize).toEqual(result.linearize);
  });

  it('is dropped with a note when malformed, and the rest opens', () => {
    const file = JSON.parse(linscopeFileText(state, result));
    file.result.linearize.runs[0].lossDelta = [0.1];
    const parsed = parseLinScopeFile(JSON.stringify(file));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.result.linearize).toBeUndefined();
    expect(parsed.result.layers).toEqual(result.layers);
    expect(parsed.notes).toEqual([
      "The block-replacement results were malformed (run 1's loss changes do not have one value per token) and were left out.",
    ]);
  });
});
