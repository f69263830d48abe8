/**
 * The inputs shown with a result opened from stats files or hidden states (share/fileImport.ts): it
 * then is "the result shown in the page", as one opened from a `.linscope.json`, with a state of its
 * own. Its model is named as one opened from disk (`local/<name>`), since there is nothing to run
 * here; the text is the tokens' strings, or, for stats (which hold no text), a line saying so.
 */
import type { LinScopeResult } from '../job/result';
import { DEFAULT_SETTINGS } from '../job/settings';
import { isModelDtype } from '../model/config';
import type { ShareState } from './permalinkState';
import { localModelId } from './resultModelId';

export function importedShareState(result: LinScopeResult): ShareState {
  const stats = result.statistics;
  const text =
    result.tokens.length > 0
      ? result.tokens.map((t) => t.text).join('')
      : `(No text: per-layer scores of ${result.model.id} from ${stats?.shards ?? 0} stats file${stats?.shards === 1 ? '' : 's'}, ${stats?.tokens ?? 0} tokens.)`;
  return {
    model: {
      id: localModelId(result.model.id, 'imported'),
      revision: 'main',
      // What the files said, where it is a weights type LinScope knows (a saved file then agrees).
      dtype: isModelDtype(result.model.dtype) ? result.model.dtype : 'fp32',
    },
    settings: {
      ...DEFAULT_SETTINGS,
      excludeBos: result.settings.excludeBos,
      excludeMassive: result.settings.excludeMassive,
      heldOutFraction: result.settings.heldOutFraction,
    },
    reference: result.perToken ? { kind: 'user', name: result.perToken.reference.name } : { kind: 'none' },
    input: { text, corpus: false },
    focusLayer: null,
  };
}
