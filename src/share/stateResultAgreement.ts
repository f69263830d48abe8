/**
 * A `.linscope.json` file carries two accounts of one analysis: the state (what the page puts back
 * in its controls: model, settings, text) and the result (what the charts draw). A hand-edited or
 * hostile file can make them disagree, and then the page would show one model's numbers under
 * another model's name, or a heatmap of tokens beside a text they did not come from, and a re-run
 * would silently answer a different question. The result is what was computed, so where the two
 * disagree the state is brought into line with the result, and a note says what was changed.
 */
import type { LinScopeResult } from '../job/result';
import { isModelDtype } from '../model/config';
import { type ShareState, shareDocuments } from './permalinkState';
import { appModelId, localModelId } from './resultModelId';

/** The text of each document of a result, rebuilt from its tokens, in document order. */
function documentsFromTokens(result: Pick<LinScopeResult, 'tokens'>): string[] {
  const docs = new Map<number, string>();
  for (const t of result.tokens) docs.set(t.doc, (docs.get(t.doc) ?? '') + t.text);
  return [...docs.keys()].sort((a, b) => a - b).map((doc) => docs.get(doc) ?? '');
}

/** The text box's input for a result's documents, rebuilt from its tokens (BOS markers and all). */
export function inputFromTokens(result: Pick<LinScopeResult, 'tokens'>): ShareState['input'] {
  const docs = documentsFromTokens(result);
  return { text: docs.join('\n\n'), corpus: docs.length > 1 };
}

/**
 * What two texts are compared by: letters and digits only, accents and case folded. A tokenizer's
 * round trip may change spacing, Unicode form, case or accents (its normalizer) and adds markers
 * such as `<s>`; it does not drop or reorder words.
 */
function letterKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * Whether the state's documents are the ones the tokens came from: as many documents, and each
 * document's letters and digits found, in order and whole, in its tokens' text (which may hold
 * more: BOS and EOS markers). A result without tokens (reduced from statistics files) has no text
 * to compare and agrees with any.
 */
export function textMatchesTokens(
  input: ShareState['input'],
  result: Pick<LinScopeResult, 'tokens'>,
): boolean {
  if (result.tokens.length === 0) return true;
  const typed = shareDocuments(input);
  const tokenDocs = documentsFromTokens(result);
  if (typed.length !== tokenDocs.length) return false;
  return typed.every((doc, k) => letterKey(tokenDocs[k]).includes(letterKey(doc)));
}

const SETTINGS_IN_RESULT = ['excludeBos', 'excludeMassive', 'heldOutFraction'] as const;

/** `state` with what disagrees with `result` replaced by the result's own, and a note for each change. */
export function reconcileStateWithResult(
  state: ShareState,
  result: LinScopeResult,
): { state: ShareState; notes: string[] } {
  const notes: string[] = [];
  let model = state.model;
  // A dtype LinScope does not know (a result made from imported files) is not compared.
  const resultDtype = isModelDtype(result.model.dtype) ? result.model.dtype : state.model.dtype;
  const resultId = appModelId(result.model.id);
  // A result made from imported files is shown under `local/<name>` even when it names a Hub id.
  const sameModel = [result.model.id, resultId, localModelId(result.model.id)].includes(state.model.id);
  if (!sameModel || resultDtype !== state.model.dtype) {
    model = { id: resultId, revision: result.model.revision || 'main', dtype: resultDtype };
    notes.push(
      `This file’s settings name the model ${state.model.id} (${state.model.dtype}), but its result was ` +
        `computed with ${resultId} (${resultDtype}): ${resultId} is chosen, so that a re-run answers the same question.`,
    );
  }

  let settings = state.settings;
  const differing = SETTINGS_IN_RESULT.filter((key) => result.settings[key] !== state.settings[key]);
  if (differing.length > 0) {
    const { excludeBos, excludeMassive, heldOutFraction } = result.settings;
    settings = { ...state.settings, excludeBos, excludeMassive, heldOutFraction };
    notes.push(
      `This file’s settings (${differing.join(', ')}) differ from those its result was computed with: ` +
        'the result’s are used.',
    );
  }

  let input = state.input;
  if (!textMatchesTokens(state.input, result)) {
    input = inputFromTokens(result);
    notes.push(
      'This file’s text is not the text its tokens came from: the text box holds the text rebuilt from ' +
        'the result’s tokens.',
    );
  }

  let focusLayer = state.focusLayer;
  if (focusLayer !== null && focusLayer >= result.layers.length) {
    focusLayer = null;
    notes.push(
      `This file focuses layer pair ${state.focusLayer}, and its model has ${result.layers.length}: none is focused.`,
    );
  }

  if (notes.length === 0) return { state, notes };
  return { state: { ...state, model, settings, input, focusLayer }, notes };
}
