import { describe, expect, it } from 'vitest';
import type { LinScopeResult, ResultPerToken } from '../job/result';
import {
  decodePermalink,
  encodePermalink,
  packPermalink,
  TRAILING_SECTION,
  trailingSection,
} from './permalink';
import { recordedExample } from './permalink.testing';
import { encodeResultSection } from './permalinkResult';
import { shareDocuments, shareStateJson } from './permalinkState';

/** The recorded stories260K result with its reference's composition and calibration. */
function calibratedExample() {
  const { state, result } = recordedExample();
  const perToken = result.perToken as ResultPerToken;
  const L = result.layers.length;
  perToken.reference = {
    ...perToken.reference,
    documents: 27,
    corpusDocuments: 80,
    sampling: { rule: 'seeded-chunks', seed: 1, chunkTokens: 16 },
    heldOut: { tokens: 512, documents: 25 },
  };
  perToken.calibration = {
    nominalFlashRate: 0.01,
    heldOutFlashRate: Array.from({ length: L }, (_, l) => (l === 0 ? null : 0.0078125 * l)),
    flashRate: Array.from({ length: L }, (_, l) => 0.0625 * (l % 2)),
    unseenTokenShare: 0.375,
    offReference: true,
  };
  return { state, result };
}

const decoded = (fragment: string) => {
  const back = decodePermalink(fragment);
  if (!back.ok) throw new Error(back.message);
  return back;
};

describe('the permalink section on the reference', () => {
  it('carries the reference’s composition and the calibration with the heatmap, exactly', () => {
    const { state, result } = calibratedExample();
    const link = encodePermalink(state, result, { baseLength: 40 });
    expect(link.contents).toBe('results');
    const restored = decoded(link.fragment).result as LinScopeResult;
    expect(restored.perToken?.reference).toEqual(result.perToken?.reference);
    expect(restored.perToken?.calibration).toEqual(result.perToken?.calibration);
  });

  it('leaves a malformed section out with a note, and the rest of the result opens', () => {
    const { state, result } = calibratedExample();
    const docs = shareDocuments(state.input);
    const bad = new TextEncoder().encode(JSON.stringify({ calibration: { nominalFlashRate: 'x' } }));
    const fragment = packPermalink(
      shareStateJson(state),
      encodeResultSection(result, docs, true),
      undefined,
      trailingSection(TRAILING_SECTION.reference, bad),
    );
    const back = decoded(fragment);
    expect(back.result?.perToken?.calibration).toBeUndefined();
    expect(back.result?.perToken?.reference.name).toBe(result.perToken?.reference.name);
    expect(back.notes.join(' ')).toMatch(/note on the reference was malformed/);
  });
});
