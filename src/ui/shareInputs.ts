import type { AnalysisSettings } from '../job/settings';
import type { ModelDtype } from '../model/config';
import type { ShareState } from '../share/permalinkState';
import type { PromptInput } from './promptInput';
import type { ReferenceChoice } from './SettingsPanel';

/** The page's inputs that a link or a `.linscope.json` file carries, besides the model. */
export interface SharedInputs {
  readonly input: PromptInput;
  readonly settings: AnalysisSettings;
  readonly reference: ReferenceChoice;
}

/** The inputs as a shareable state. A user's reference corpus travels by name only (docs/permalinks.md). */
export function shareStateOf(
  model: { readonly id: string; readonly dtype: ModelDtype },
  inputs: SharedInputs,
  focusLayer: number | null,
): ShareState {
  const { input, settings, reference } = inputs;
  return {
    model: { id: model.id, revision: 'main', dtype: model.dtype },
    settings,
    reference: reference.kind === 'user' ? { kind: 'user', name: reference.name } : { kind: reference.kind },
    input: { text: input.text, corpus: input.corpus },
    focusLayer,
  };
}

/**
 * The inputs a shared state puts on the page. A user's reference corpus did not travel, only its
 * name: a re-run uses the bundled corpus unless the user loads the same file again.
 */
export function inputsFromShared(shared: ShareState): SharedInputs {
  return {
    input: { text: shared.input.text, corpus: shared.input.corpus, fileName: null },
    settings: shared.settings,
    reference:
      shared.reference.kind === 'none' || shared.reference.kind === 'model'
        ? { kind: shared.reference.kind }
        : { kind: 'bundled' },
  };
}
