import { deflateSync, inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { LinScopeResult } from '../job/result';
import {
  DEFAULT_URL_BUDGET,
  decodePermalink,
  encodePermalink,
  MAX_FRAGMENT_CHARS,
  type PermalinkDecode,
  packPermalink,
} from './permalink';
import { noiseText, recordedExample, syntheticExample } from './permalink.testing';
import { checksum32, fromBase64Url, toBase64Url } from './permalinkBytes';
import { encodeResultSection } from './permalinkResult';
import { type ShareState, shareDocuments, shareStateJson } from './permalinkState';

function opened(fragment: string): Extract<PermalinkDecode, { ok: true }> {
  const decoded = decodePermalink(fragment);
  if (!decoded.ok) throw new Error(`expected the link to open: ${decoded.message}`);
  return decoded;
}

/** Every per-layer and per-state number within float32 rounding of the original. */
function expectScoresClose(restored: LinScopeResult, original: LinScopeResult) {
  const bound = (v: number) => Math.max(1, Math.abs(v)) * 2 ** -24;
  expect(restored.layers.length).toBe(original.layers.length);
  original.layers.forEach((l, i) => {
    const r = restored.layers[i];
    expect(r.pair).toEqual(l.pair);
    expect([r.isFirst, r.isLast, r.n, r.d, r.rank, r.reason]).toEqual([
      l.isFirst,
      l.isLast,
      l.n,
      l.d,
      l.rank,
      l.reason,
    ]);
    for (const k of ['linearity', 'linearityNoResidual', 'chanceFloor', 'cosine', 'updateRatio'] as const) {
      const a = l[k];
      const b = r[k];
      if (a === null) expect(b).toBeNull();
      else expect(Math.abs((b as number) - a)).toBeLessThanOrEqual(bound(a));
    }
    expect(r.heldOut?.source).toBe(l.heldOut?.source);
    expect(r.heldOut?.n).toBe(l.heldOut?.n);
  });
  original.states.forEach((s, i) => {
    if (s.anisotropy === null) expect(restored.states[i].anisotropy).toBeNull();
    else
      expect(Math.abs((restored.states[i].anisotropy as number) - s.anisotropy)).toBeLessThanOrEqual(
        bound(s.anisotropy),
      );
  });
}

/** The largest relative error of a heatmap cell. */
function maxCellError(restored: LinScopeResult, original: LinScopeResult): number {
  let worst = 0;
  original.perToken?.nonlinearity.forEach((row, l) => {
    row.forEach((v, t) => {
      const r = restored.perToken?.nonlinearity[l][t];
      if (v === null) expect(r).toBeNull();
      else worst = Math.max(worst, Math.abs((r as number) - v) / v);
    });
  });
  return worst;
}

describe('encodePermalink / decodePermalink', () => {
  it('round-trips the recorded stories260K result: state, tokens, scores within float32, cells within the stated bound', () => {
    const { state, result } = recordedExample();
    const link = encodePermalink(state, result, { baseLength: 40 });
    expect(link.contents).toBe('results');
    expect(link.leftOut).toEqual([]);
    expect(link.fragment).toMatch(/^#ls1\.[A-Za-z0-9_-]+$/);
    expect(link.urlLength).toBeLessThanOrEqual(DEFAULT_URL_BUDGET);
    const back = opened(link.fragment);
    expect(back.state).toEqual(state);
    expect(back.notes.join(' ')).toMatch(/opened from the sender’s disk/);
    const restored = back.result as LinScopeResult;
    expect(restored.tokens).toEqual(result.tokens);
    expect(restored.windows).toEqual(result.windows);
    expect(restored.excludedTokens).toEqual(result.excludedTokens);
    expect(restored.model).toEqual(result.model);
    expect(restored.settings).toEqual(result.settings);
    expectScoresClose(restored, result);
    const q = back.quantisation?.cellRelative as number;
    // 8 bits on a log scale over this run's range (about 0.05 to 60): under 1.5% either way.
    expect(q).toBeLessThan(0.015);
    const worst = maxCellError(restored, result);
    expect(worst).toBeLessThanOrEqual(q);
    expect(worst).toBeGreaterThan(q / 10); // the bound is tight, not vacuous
    expect(restored.perToken?.flash).toEqual(result.perToken?.flash);
    expect(restored.perToken?.reference).toEqual(result.perToken?.reference);
    restored.perToken?.flashThreshold.forEach((v, l) => {
      expect(Math.abs((v as number) - (result.perToken?.flashThreshold[l] as number))).toBeLessThan(1e-5);
    });
  });

  it('carries a reference of the model’s own text: the choice in the state, the source in the result', () => {
    const { state, result } = recordedExample();
    const perToken = result.perToken as NonNullable<LinScopeResult['perToken']>;
    const ownText = {
      ...result,
      perToken: {
        ...perToken,
        reference: { ...perToken.reference, source: 'model' as const, name: 'the model’s own text (seed 1)' },
      },
    };
    const link = encodePermalink({ ...state, reference: { kind: 'model' } }, ownText, { budget: 100_000 });
    const back = opened(link.fragment);
    expect(back.state?.reference).toEqual({ kind: 'model' });
    expect(back.result?.perToken?.reference).toMatchObject({
      source: 'model',
      name: 'the model’s own text (seed 1)',
    });
    // The other sources still read as they were written.
    const user = opened(encodePermalink(state, result, { budget: 100_000 }).fragment);
    expect(user.result?.perToken?.reference.source).toBe(perToken.reference.source);
  });

  it('stores token texts as spans of the shared text, not again', () => {
    const { state, result } = recordedExample();
    const withSpans = encodeResultSection(result, shareDocuments(state.input), false).length;
    // The same tokens against a text they do not come from: every text spelled out.
    const spelled = encodeResultSection(result, ['x'], false).length;
    const textBytes = result.tokens.reduce((n, t) => n + new TextEncoder().encode(t.text).length, 0);
    expect(spelled - withSpans).toBeGreaterThan(textBytes - 10);
  });

  it('keeps a 2,000 x 12 result within the 8 KB budget by leaving the heatmap out, and says so', () => {
    const { state, result } = syntheticExample();
    const link = encodePermalink(state, result, { baseLength: 40 });
    expect(link.contents).toBe('layer-scores');
    expect(link.leftOut).toEqual(['the per-token heatmap (recomputed when the link is opened)']);
    expect(link.urlLength).toBeLessThanOrEqual(DEFAULT_URL_BUDGET);
    const back = opened(link.fragment);
    expect(back.result?.perToken).toBeNull();
    expect(back.notes.join(' ')).toMatch(/heatmap did not fit/);
    expectScoresClose(back.result as LinScopeResult, result);
    expect(back.result?.tokens).toEqual(result.tokens);
  });

  it('carries the whole 2,000 x 12 heatmap under a larger budget, within the quantisation bound', () => {
    const { state, result } = syntheticExample();
    const link = encodePermalink(state, result, { budget: 100_000 });
    expect(link.contents).toBe('results');
    const back = opened(link.fragment);
    const q = back.quantisation?.cellRelative as number;
    expect(maxCellError(back.result as LinScopeResult, result)).toBeLessThanOrEqual(q);
    expect(back.result?.perToken?.flash).toEqual(result.perToken?.flash);
  });

  it('drops every result when even the layer scores do not fit, and flags a link over budget', () => {
    const { state, result } = recordedExample();
    const small = encodePermalink(state, result, { budget: 600 });
    expect(small.contents).toBe('inputs');
    expect(small.leftOut).toEqual(['all results (recomputed when the link is opened)']);
    expect(opened(small.fragment).result).toBeNull();
    const huge = encodePermalink({ ...state, input: { text: noiseText(20_000), corpus: false } }, null);
    expect(huge.contents).toBe('inputs');
    expect(huge.overBudget).toBe(true);
    expect(opened(huge.fragment).state.input.text).toBe(noiseText(20_000));
  });

  it('round-trips a corpus, with the documents split as the app splits them', () => {
    const { result } = recordedExample();
    const docs = ['First document here.', 'And a second one.'];
    const corpusResult: LinScopeResult = {
      ...result,
      tokens: [
        { id: 1, text: 'First', doc: 0 },
        { id: 2, text: ' document here.', doc: 0 },
        { id: 3, text: '<s>', doc: 1 },
        { id: 4, text: 'And', doc: 1 },
        { id: 5, text: ' a second one.', doc: 1 },
      ],
      windows: [
        { doc: 0, start: 0, end: 2 },
        { doc: 1, start: 2, end: 5 },
      ],
      perToken: null,
    };
    const state: ShareState = {
      ...recordedExample().state,
      input: { text: docs.join('\n\n'), corpus: true },
      reference: { kind: 'none' },
    };
    expect(shareDocuments(state.input)).toEqual(docs);
    const back = opened(encodePermalink(state, corpusResult).fragment);
    expect(back.result?.tokens).toEqual(corpusResult.tokens);
    expect(back.state.input.corpus).toBe(true);
  });
});

/** A link with a valid checksum around whatever state and result bytes a test wants. */
function crafted(state: unknown, resultSection: Uint8Array | null = null, version = 1): string {
  return packPermalink(state, resultSection, version);
}

function deflated(payload: Uint8Array): string {
  return `#ls1.${toBase64Url(deflateSync(payload))}`;
}

function withChecksum(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, checksum32(body));
  return out;
}

describe('decodePermalink on broken and hostile links', () => {
  const { state, result } = recordedExample();
  const good = encodePermalink(state, result).fragment;
  const json = shareStateJson(state);
  const docs = shareDocuments(state.input);
  const bytes = encodeResultSection(result, docs, true);
  const corruptDims = bytes.slice();
  // The token count sits after flags, version string and model sizes; overwrite from byte 1 on
  // with a run of 0xff: every varint there becomes too long or too large.
  corruptDims.fill(0xff, 12, 40);

  const cases: { name: string; fragment: string; message: RegExp }[] = [
    { name: 'not a LinScope link', fragment: '#section-2', message: /not a LinScope link/ },
    {
      name: 'a javascript: URL as the fragment',
      fragment: '#javascript:alert(document.cookie)',
      message: /not a LinScope link/,
    },
    {
      name: 'truncated',
      fragment: good.slice(0, Math.floor(good.length * 0.6)),
      message: /incomplete.*cut off/,
    },
    {
      name: 'nothing after the version',
      fragment: '#ls1.',
      message: /incomplete: nothing follows “ls1\.”/,
    },
    {
      name: 'bad base64',
      fragment: `#ls1.${good.slice(5, 60)}$%*!`,
      message: /characters a LinScope link never has/,
    },
    {
      name: 'bad deflate',
      fragment: `#ls1.${toBase64Url(new Uint8Array([0xff, 0xfe, 0xfd, 0x01, 0x02, 0x03]))}`,
      message: /does not unpack/,
    },
    {
      name: 'zip bomb',
      fragment: deflated(new Uint8Array(64 * 1024 * 1024)),
      message: /unpacks to more than 4 MB/,
    },
    {
      name: 'oversized link',
      fragment: `#ls1.${'A'.repeat(MAX_FRAGMENT_CHARS + 1)}`,
      message: /too long to open/,
    },
    {
      name: 'tampered byte (checksum)',
      fragment: tampered(crafted(json)),
      message: /checksum does not match/,
    },
    { name: 'wrong version (0)', fragment: crafted(json, null, 0), message: /unknown format number/ },
    { name: 'future version', fragment: crafted(json, null, 7), message: /newer LinScope \(link format 7\)/ },
    {
      name: 'state that is not JSON',
      fragment: deflated(withChecksum(new Uint8Array([3, 0x7b, 0x7b, 0x7b, 0]))),
      message: /settings are unreadable/,
    },
    { name: 'model of the wrong type', fragment: crafted({ ...json, model: 42 }), message: /names no model/ },
    {
      name: 'text of the wrong type',
      fragment: crafted({ ...json, input: { text: 5 } }),
      message: /holds no text/,
    },
    { name: 'empty text', fragment: crafted({ ...json, input: { text: '   ' } }), message: /text is empty/ },
    {
      name: '<script> as the model id',
      fragment: crafted({ ...json, model: { id: '<script>alert(1)</script>' } }),
      message: /model id LinScope does not accept/,
    },
    {
      name: '<img onerror> as the model id',
      fragment: crafted({ ...json, model: { id: 'a/<img src=x onerror=alert(1)>' } }),
      message: /model id LinScope does not accept/,
    },
    {
      name: 'javascript: URL as the model id',
      fragment: crafted({ ...json, model: { id: 'javascript:alert(1)//x' } }),
      message: /model id LinScope does not accept/,
    },
    {
      name: 'path traversal as the model id',
      fragment: crafted({ ...json, model: { id: '../../etc/passwd' } }),
      message: /model id LinScope does not accept/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} with its message`, () => {
      const decoded = decodePermalink(c.fragment);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.message).toMatch(c.message);
    });
  }

  it('gives every refusal case a message of its own kind (at least 10 distinct)', () => {
    const messages = new Set(cases.map((c) => (decodePermalink(c.fragment) as { message: string }).message));
    expect(messages.size).toBeGreaterThanOrEqual(10);
  });

  it('opens huge numbers and wrong types in settings with defaults and a note', () => {
    const back = opened(
      crafted({
        ...json,
        settings: { heldOutFraction: 1e308, maxWindow: -5, flashQuantile: 'x', excludeBos: true },
        focusLayer: 1e9,
        model: { id: state.model.id, dtype: 'int3', revision: 'a b' },
      }),
    );
    expect(back.state.settings).toMatchObject({
      heldOutFraction: 0.25,
      maxWindow: 1024,
      flashQuantile: 0.99,
      excludeBos: true,
    });
    expect(back.state.focusLayer).toBeNull();
    expect(back.state.model).toEqual({ id: state.model.id, dtype: 'fp32', revision: 'main' });
    expect(back.notes.join(' ')).toMatch(/heldOutFraction, maxWindow, flashQuantile out of range/);
  });

  it('drops results with negative or oversized dimensions, keeping the inputs', () => {
    const back = opened(crafted(json, corruptDims));
    expect(back.result).toBeNull();
    expect(back.state.input.text).toBe(state.input.text);
    expect(back.notes.join(' ')).toMatch(/results were malformed .* left out/);
  });

  it('drops results whose rows are not the model’s layers, or whose widths are not its own', () => {
    const moreLayers = encodeResultSection(
      { ...result, model: { ...result.model, layers: 500 } },
      docs,
      true,
    );
    const fewer = opened(crafted(json, moreLayers));
    expect(fewer.result).toBeNull();
    expect(fewer.notes.join(' ')).toMatch(
      new RegExp(
        `results were malformed \\(${result.layers.length} layer pairs for a model of 500 layers\\)`,
      ),
    );
    const wider = encodeResultSection(
      { ...result, model: { ...result.model, hidden: 1_048_576 } },
      docs,
      true,
    );
    const widerOpened = opened(crafted(json, wider));
    expect(widerOpened.result).toBeNull();
    expect(widerOpened.notes.join(' ')).toMatch(/a layer pair of another width than the model/);
  });

  it('drops results whose numbers are out of their ranges', () => {
    const layers = result.layers.map((l, k) => (k === 1 ? { ...l, cosine: 55 } : l));
    const back = opened(crafted(json, encodeResultSection({ ...result, layers }, docs, true)));
    expect(back.result).toBeNull();
    expect(back.notes.join(' ')).toMatch(
      /results were malformed \(layer pair 1's cosine 55 is not between -1 and 1\)/,
    );
  });

  it('drops results whose token offsets run past the text', () => {
    const back = opened(crafted({ ...json, input: { text: 'short', corpus: false } }, bytes));
    expect(back.result).toBeNull();
    expect(back.notes.join(' ')).toMatch(/results were malformed \(token offsets beyond the text\)/);
  });

  it('drops a result section with bytes left over or cut short', () => {
    expect(opened(crafted(json, new Uint8Array([...bytes, 0]))).notes.join(' ')).toMatch(/left over/);
    expect(opened(crafted(json, bytes.subarray(0, bytes.length - 9))).notes.join(' ')).toMatch(
      /ran past the end/,
    );
  });

  it('keeps markup in token texts and text as plain characters (React renders them as text)', () => {
    const text = '<script>alert(1)</script> and <img src=x onerror=alert(2)>';
    const hostile: LinScopeResult = {
      ...result,
      tokens: [
        { id: 1, text: '<script>alert(1)</script>', doc: 0 },
        { id: 2, text: ' and <img src=x onerror=alert(2)>', doc: 0 },
      ],
      windows: [{ doc: 0, start: 0, end: 2 }],
      perToken: null,
      excludedTokens: [],
    };
    const back = opened(encodePermalink({ ...state, input: { text, corpus: false } }, hostile).fragment);
    expect(back.result?.tokens.map((t) => t.text)).toEqual(hostile.tokens.map((t) => t.text));
  });

  it('opens a Hub model outside the list with a note that nothing downloads without asking', () => {
    const back = opened(crafted({ ...json, model: { id: 'someone/unknown-model', dtype: 'q8' } }));
    expect(back.state.model.id).toBe('someone/unknown-model');
    expect(back.notes.join(' ')).toMatch(/not one of LinScope’s listed models.*asks first/);
  });

  it('never throws, whatever the fragment', () => {
    const random = (n: number) =>
      Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(Math.random() * 95))).join('');
    for (let i = 0; i < 200; i++) expect(() => decodePermalink(`#ls1.${random(i)}`)).not.toThrow();
    for (let cut = 5; cut < good.length; cut += 7) expect(decodePermalink(good.slice(0, cut)).ok).toBe(false);
  });
});

/** A good link with one byte of its payload flipped, still deflatable: only the checksum can tell. */
function tampered(fragment: string): string {
  const body = inflateSync(fromBase64Url(fragment.slice(5)) as Uint8Array);
  body[10] ^= 0x20;
  return deflated(body);
}
