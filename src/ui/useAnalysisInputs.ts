import { useCallback, useEffect, useRef, useState } from 'react';
import { LinScopeError } from '../errors';
import { splitCorpus } from '../job/corpus';
import { type AnalysisSettings, DEFAULT_SETTINGS } from '../job/settings';
import type { ShareState } from '../share/permalinkState';
import { DraftKeeper, isReload, keptDraft } from './draftText';
import { type PromptInput, readPromptFile } from './promptInput';
import { pageStorage } from './rememberedChoice';
import type { ReferenceChoice } from './SettingsPanel';
import { inputsFromShared } from './shareInputs';

export interface AnalysisInputs {
  readonly input: PromptInput;
  readonly settings: AnalysisSettings;
  readonly reference: ReferenceChoice;
  setInput(input: PromptInput): void;
  setSettings(settings: AnalysisSettings): void;
  setReference(reference: ReferenceChoice): void;
  /** Reads a text file into the prompt; says what was changed to show it, where anything was. */
  readPromptFile(file: File): Promise<string | null>;
  /**
   * Reads a reference corpus file; throws with a message the page shows. `refusal` says why the
   * texts cannot serve the chosen model (too few tokens), or null.
   */
  readReferenceFile(file: File, refusal?: (texts: string[]) => Promise<string | null>): Promise<void>;
  /** Puts a shared state's text, settings and reference into the inputs (the model is chosen elsewhere). */
  /** Puts a shared state into the inputs; `restored`: an analysis put back on load, which a reloaded draft's text outlives. */
  applyShared(shared: ShareState, restored?: boolean): void;
}

/** What to analyse besides the model: the text, the settings and the reference corpus. */
export function useAnalysisInputs(initialText: string): AnalysisInputs {
  // A reload gives back the text the box held, analysed or not (draftText.ts): it stands in for the
  // text of the analysis the page restores on load.
  const draft = useRef<PromptInput | null>(isReload() ? keptDraft(pageStorage('sessionStorage')) : null);
  const [input, setInput] = useState<PromptInput>(
    () => draft.current ?? { text: initialText, corpus: false, fileName: null },
  );
  // Kept once the user pauses, and at once when the page is hidden or left (a reload).
  const keeper = useRef<DraftKeeper | null>(null);
  keeper.current ??= new DraftKeeper(() => pageStorage('sessionStorage'));
  useEffect(() => keeper.current?.change(input), [input]);
  useEffect(() => {
    const kept = keeper.current;
    if (!kept) return;
    const flush = () => kept.flush();
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') kept.flush();
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('pagehide', flush);
      document.removeEventListener('visibilitychange', onVisibility);
      kept.flush();
    };
  }, []);
  const [settings, setSettings] = useState<AnalysisSettings>(DEFAULT_SETTINGS);
  const [reference, setReference] = useState<ReferenceChoice>({ kind: 'bundled' });

  const readPrompt = useCallback(async (file: File) => {
    const read = await readPromptFile(file);
    setInput(read.input);
    return read.note;
  }, []);

  const readReferenceFile = useCallback(
    async (file: File, refusal?: (texts: string[]) => Promise<string | null>) => {
      const read = await readPromptFile(file);
      // A .jsonl file's documents as stored; any other file's paragraphs (blank-line separated).
      const texts = (read.documents ?? splitCorpus(read.input.text, file.name)).filter(
        (t) => t.trim().length > 0,
      );
      if (texts.length === 0) throw new LinScopeError('BAD_INPUT', `“${file.name}” is empty.`);
      const reason = refusal ? await refusal(texts) : null;
      if (reason) throw new LinScopeError('BAD_INPUT', reason);
      setReference({ kind: 'user', name: file.name, texts });
    },
    [],
  );

  const applyShared = useCallback((shared: ShareState, restored = false) => {
    const next = inputsFromShared(shared);
    // The analysis put back after a reload keeps the text in the box (the reloaded draft, or what
    // was typed since), and the result stays with the note that the text changed; anything opened
    // otherwise brings its own text.
    const keepText = restored && draft.current !== null;
    draft.current = null;
    setInput((current) => (keepText ? current : next.input));
    setSettings(next.settings);
    setReference(next.reference);
  }, []);

  return {
    input,
    settings,
    reference,
    setInput,
    setSettings,
    setReference,
    readPromptFile: readPrompt,
    readReferenceFile,
    applyShared,
  };
}
