import { describe, expect, it } from 'vitest';
import type { LinScopeResult } from '../job/result';
import { importedShareState } from './importedState';
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

describe('a .linscope.json file whose state and result disagree', () => {
  const { state, result } = recordedExample();
  const fileWith = (
    edit: (file: { state: Record<string, unknown>; result: Record<string, unknown> }) => void,
  ) => {
    const file = JSON.parse(linscopeFileText(state, result));
    edit(file);
    return parseLinScopeFile(JSON.stringify(file));
  };

  const LOCAL_NOTE =
    'local/stories260K was opened from the sender’s disk: to re-run, open the same model files here.';

  it('agrees with itself as the page saves it: no change, no note of a change', () => {
    const parsed = fileWith(() => {});
    expect(parsed.ok && parsed.notes).toEqual([LOCAL_NOTE]);
    expect(parsed.ok && parsed.state).toEqual(state);
  });

  it('takes the model the result was computed with', () => {
    const parsed = fileWith((file) => {
      file.state.model = { id: 'Xenova/gpt2', revision: 'main', dtype: 'q8' };
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.state.model).toEqual({ id: 'local/stories260K', revision: 'main', dtype: 'fp32' });
    expect(parsed.notes).toContain(
      'This file’s settings name the model Xenova/gpt2 (q8), but its result was computed with local/stories260K (fp32): local/stories260K is chosen, so that a re-run answers the same question.',
    );
  });

  it('takes the settings the result was computed with', () => {
    const parsed = fileWith((file) => {
      (file.state.settings as Record<string, unknown>).excludeBos = true;
      (file.state.settings as Record<string, unknown>).heldOutFraction = 0.5;
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.state.settings).toEqual({ ...state.settings, excludeBos: false, heldOutFraction: 0.25 });
    expect(parsed.notes.join(' ')).toMatch(
      /settings \(excludeBos, heldOutFraction\) differ from those its result/,
    );
  });

  it('puts the text its tokens came from in the text box', () => {
    const parsed = fileWith((file) => {
      file.state.input = { text: 'A different story about a dragon.', corpus: false };
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.state.input).toEqual({ text: result.tokens.map((t) => t.text).join(''), corpus: false });
    expect(parsed.notes.join(' ')).toMatch(/text is not the text its tokens came from/);
    // The result itself is untouched.
    expect(parsed.result.tokens).toEqual(result.tokens);
  });

  it('focuses no pair the model does not have', () => {
    const parsed = fileWith((file) => {
      file.state.focusLayer = result.layers.length;
    });
    expect(parsed.ok && parsed.state.focusLayer).toBe(null);
    expect(parsed.ok && parsed.notes.join(' ')).toMatch(/focuses layer pair 5, and its model has 5/);
  });

  it('refuses a result whose settings are malformed', () => {
    const parsed = fileWith((file) => {
      (file.result.settings as Record<string, unknown>).excludeBos = 'yes';
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.message).toMatch(/settings.excludeBos or settings.excludeMassive is not true or false/);
  });

  it('an imported result, saved and opened again, agrees with itself', () => {
    const imported = {
      ...result,
      model: { ...result.model, id: 'HuggingFaceTB/SmolLM2-135M', dtype: 'bfloat16' },
      settings: { ...result.settings, excludeBos: true, heldOutFraction: 0 },
    };
    const importedState = importedShareState(imported);
    const parsed = parseLinScopeFile(linscopeFileText(importedState, imported));
    expect(parsed.ok && parsed.notes).toEqual([
      'local/SmolLM2-135M was opened from the sender’s disk: to re-run, open the same model files here.',
      expect.stringMatching(/fitted on the sender’s own corpus “reference-en.txt”/),
    ]);
    expect(parsed.ok && parsed.state).toEqual(importedState);
  });
});

describe('the logit lens in a .linscope.json file', () => {
  const { state, result } = recordedExample();
  const S = result.layers.length + 1;
  const T = result.tokens.length;
  // A lens of the file's shape: ids of its vocabulary, each with a text.
  const lens = {
    topId: Array.from({ length: S }, (_, s) => Array.from({ length: T }, (_, t) => (s * 7 + t) % 40)),
    topProb: Array.from({ length: S }, (_, s) => Array.from({ length: T }, (_, t) => ((s + t) % 10) / 10)),
    nextLoss: Array.from({ length: S }, () =>
      Array.from({ length: T }, (_, t) => (t === T - 1 ? null : 1.5)),
    ),
    tokenText: Object.fromEntries(Array.from({ length: 40 }, (_, id) => [String(id), `tok${id}`])),
  };
  const opened = (edit: (l: typeof lens) => unknown) => {
    const copy = JSON.parse(JSON.stringify(lens));
    const parsed = parseLinScopeFile(
      linscopeFileText(state, { ...result, logitLens: edit(copy) as typeof lens }),
    );
    // The notes about the lens (the file's others say its model was opened from disk).
    return parsed.ok ? { ...parsed, notes: parsed.notes.filter((n) => n.includes('logit lens')) } : parsed;
  };

  it('is kept exactly when well formed', () => {
    const parsed = opened((l) => l);
    expect(parsed.ok && parsed.notes).toEqual([]);
    expect(parsed.ok && parsed.result.logitLens).toEqual(lens);
    expect(opened(() => null).ok && (opened(() => null) as { result: LinScopeResult }).result.logitLens).toBe(
      null,
    );
  });

  const malformed: { name: string; edit: (l: typeof lens) => unknown; note: RegExp }[] = [
    { name: 'not an object', edit: () => 'lens', note: /it is not an object/ },
    {
      name: 'a state row missing',
      edit: (l) => ({ ...l, topId: l.topId.slice(1) }),
      note: /topId does not have one row per state \(6\)/,
    },
    {
      name: 'a row one token short',
      edit: (l) => ({ ...l, topProb: l.topProb.map((row, s) => (s === 2 ? row.slice(1) : row)) }),
      note: /topProb has a row that is not one value per token/,
    },
    {
      name: 'an id past the vocabulary',
      edit: (l) => ({ ...l, topId: l.topId.map((row) => row.map(() => 512)) }),
      note: /topId has a value out of range/,
    },
    {
      name: 'a probability above 1',
      edit: (l) => ({ ...l, topProb: l.topProb.map((row) => row.map(() => 3)) }),
      note: /topProb has a value out of range/,
    },
    {
      name: 'a negative loss',
      edit: (l) => ({ ...l, nextLoss: l.nextLoss.map((row) => row.map(() => -1)) }),
      note: /nextLoss has a value out of range/,
    },
    {
      name: 'an id without its text',
      edit: (l) => ({ ...l, tokenText: { 0: 'only one' } }),
      note: /tokenText has no text for token id 1/,
    },
  ];
  for (const m of malformed)
    it(`is left out with a note when ${m.name}, and the rest opens`, () => {
      const parsed = opened(m.edit);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.result.logitLens).toBeUndefined();
      expect(parsed.result.layers).toEqual(result.layers);
      expect(parsed.notes).toHaveLength(1);
      expect(parsed.notes[0]).toMatch(/^The logit lens was malformed \(.*\) and was left out\.$/);
      expect(parsed.notes[0]).toMatch(m.note);
    });

  it('keeps only the texts of the ids it shows', () => {
    const parsed = opened((l) => ({ ...l, tokenText: { ...l.tokenText, 999: 'x'.repeat(10_000) } }));
    expect(parsed.ok && parsed.result.logitLens?.tokenText).toEqual(lens.tokenText);
  });
});
