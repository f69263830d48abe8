/**
 * Which analysis is on screen and where it came from (a run, a link, a file, this browser's
 * store), and the ways in and out (and the experiment joining it): opening the URL fragment on load and on `hashchange`, opening
 * a `.linscope.json` file (picker or drop anywhere on the page), building the share link, and
 * "re-run to verify" for a result restored from a link.
 */
import { type Dispatch, useCallback, useEffect, useRef, useState } from 'react';
import type { LinScopeResult, ResultLinearize } from '../job/result';
import { isCompareFragment } from '../share/comparePermalink';
import { fileSize } from '../share/fileSize';
import { isFitFileBlob } from '../share/fitImport';
import { importedShareState } from '../share/importedState';
import {
  linscopeFileName,
  linscopeFileText,
  MAX_LINSCOPE_FILE_BYTES,
  parseLinScopeFile,
} from '../share/linscopeFile';
import { decodePermalink, encodePermalink, type PermalinkBuild } from '../share/permalink';
import type { Quantisation } from '../share/permalinkResult';
import type { ShareState } from '../share/permalinkState';
import { type VerifyOutcome, verifyRestored } from '../share/permalinkVerify';
import type { AppAction, AppState } from './appState';
import { downloadBlob } from './download';
import { errorMessage } from './errorMessage';

export type AnalysisOrigin =
  | { kind: 'run' }
  | { kind: 'link'; quantisation: Quantisation }
  | { kind: 'file'; name: string }
  | { kind: 'recent'; savedAt: number };

export interface ShownAnalysis {
  state: ShareState;
  result: LinScopeResult;
  origin: AnalysisOrigin;
}

/** What opening a link or file said: an error (nothing was used), notes (it opened), or that it is being read. */
export interface LinkMessage {
  kind: 'error' | 'notes' | 'working';
  source: 'link' | 'file';
  lines: string[];
}

/** A file opened before the worker can take it (it is still starting). */
const WORKER_NOT_READY: LinkMessage = {
  kind: 'error',
  source: 'file',
  lines: ['The worker is not ready yet: try again in a moment.'],
};

export type VerifyStatus =
  | { kind: 'running' }
  | { kind: 'done'; outcome: VerifyOutcome }
  | { kind: 'failed'; message: string }
  | null;

interface PermalinkOptions {
  app: AppState;
  dispatch: Dispatch<AppAction>;
  /** The inputs as they are now (on screen when a run finishes: the inputs are locked while it runs). */
  currentState: () => ShareState;
  /** Put a shared state into the inputs; `origin` says where it came from. */
  applyState: (state: ShareState, origin: ShownAnalysis['origin']['kind']) => void;
  /** Start a run of the current inputs (it asks before any Hub download). */
  analyze: () => void;
  /** The current model's source, once known (an unlisted one is classified first); undefined until then. */
  modelSource: 'bundled' | 'hub' | 'local' | undefined;
  ready: boolean;
  /** Opens stats files or hidden states as a result (in the worker); rejects with a message. */
  importFiles?: (files: File[]) => Promise<{ result: LinScopeResult; notes: string[] }>;
  /** Opens a reference fit file for the next analysis (`share/fitImport.ts`): what the page says. */
  importFit?: (file: File) => Promise<string>;
}

/** Files the worker opens as a result (stats files, hidden states and their token lists). */
const isImportFile = (file: File) => /\.(safetensors|npy)$/i.test(file.name);

const appUrl = () => `${window.location.origin}${window.location.pathname}`;

/** Drop the fragment from the address bar (a reload then restores the latest analysis instead). */
function clearFragment(): void {
  if (window.location.hash)
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
}

export function usePermalink(options: PermalinkOptions) {
  // No closure below may mention `options`: V8 keeps one context per render for all of a function's
  // closures, so a callback memoized in one render would hold that render's options, whose callbacks
  // hold the page's render of the time, which holds this hook's callbacks from further back: a chain
  // that kept every analysis ever shown (docs/reliability.md, soak). `latest` is read instead.
  const { app, dispatch, ready, modelSource } = options;
  const latest = useRef(options);
  latest.current = options;
  const [shown, setShown] = useState<ShownAnalysis | null>(null);
  const shownNow = useRef(shown);
  shownNow.current = shown;
  const [message, setMessage] = useState<LinkMessage | null>(null);
  const [verify, setVerify] = useState<VerifyStatus>(null);
  const [autoRun, setAutoRun] = useState(false);
  /** The result this hook put on screen: any other result in the app state came from a run. */
  const shownResult = useRef<LinScopeResult | null>(null);
  const verifying = useRef<{ restored: LinScopeResult; quantisation: Quantisation } | null>(null);

  const show = useCallback(
    (analysis: ShownAnalysis) => {
      shownResult.current = analysis.result;
      latest.current.applyState(analysis.state, analysis.origin.kind);
      setShown(analysis);
      dispatch({ type: 'show', result: analysis.result });
      dispatch({ type: 'focus', layer: analysis.state.focusLayer });
    },
    [dispatch],
  );

  /**
   * The block-replacement experiment joins the result on screen, which keeps its origin (a result
   * restored from a link stays "restored"); false when `target` is no longer on screen.
   */
  const attachLinearize = useCallback(
    (target: LinScopeResult, linearize: ResultLinearize): boolean => {
      const current = shownNow.current;
      if (!current || current.result !== target) return false;
      const next = { ...current, result: { ...target, linearize } };
      shownNow.current = next;
      shownResult.current = next.result;
      setShown(next);
      dispatch({ type: 'show', result: next.result });
      return true;
    },
    [dispatch],
  );

  const openFragment = useCallback(
    (fragment: string) => {
      setVerify(null);
      verifying.current = null;
      const decoded = decodePermalink(fragment);
      if (!decoded.ok) {
        setMessage({ kind: 'error', source: 'link', lines: [decoded.message] });
        return;
      }
      setMessage(decoded.notes.length > 0 ? { kind: 'notes', source: 'link', lines: decoded.notes } : null);
      if (decoded.result && decoded.quantisation) {
        show({
          state: decoded.state,
          result: decoded.result,
          origin: { kind: 'link', quantisation: decoded.quantisation },
        });
      } else {
        latest.current.applyState(decoded.state, 'link');
        setAutoRun(true);
      }
    },
    [show],
  );

  // The fragment on load, and any link pasted into this tab later (compare links are the compare view's).
  useEffect(() => {
    const isAnalysisLink = () => window.location.hash.length > 1 && !isCompareFragment(window.location.hash);
    if (isAnalysisLink()) openFragment(window.location.hash);
    const onHash = () => {
      if (isAnalysisLink()) openFragment(window.location.hash);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [openFragment]);

  // A link without results: recompute them when that downloads nothing; otherwise wait for Analyze.
  useEffect(() => {
    if (!autoRun || !ready || modelSource === undefined) return;
    setAutoRun(false);
    if (modelSource === 'bundled') latest.current.analyze();
  }, [autoRun, ready, modelSource]);

  // A result that this hook did not show came from a run.
  useEffect(() => {
    const result = app.result;
    if (!result || result === shownResult.current || app.status !== 'done') return;
    shownResult.current = result;
    const state = { ...latest.current.currentState(), focusLayer: app.focusLayer };
    setShown({ state, result, origin: { kind: 'run' } });
    clearFragment();
    const check = verifying.current;
    if (check) {
      verifying.current = null;
      setVerify({ kind: 'done', outcome: verifyRestored(check.restored, result, check.quantisation) });
    }
  }, [app.result, app.status, app.focusLayer]);

  // A re-run that failed or was cancelled ends the check.
  useEffect(() => {
    if (!verifying.current) return;
    if (app.status === 'error') {
      verifying.current = null;
      setVerify({ kind: 'failed', message: app.error ?? 'The re-run failed.' });
    }
  }, [app.status, app.error]);

  const startVerify = useCallback(() => {
    if (shown?.origin.kind !== 'link') return;
    verifying.current = { restored: shown.result, quantisation: shown.origin.quantisation };
    setVerify({ kind: 'running' });
    latest.current.analyze();
  }, [shown]);

  // Re-run asked for a download confirmation (or could not start): not running after all.
  useEffect(() => {
    if (
      verify?.kind === 'running' &&
      verifying.current &&
      app.status !== 'loading' &&
      app.status !== 'running'
    ) {
      const timer = setTimeout(() => {
        if (
          verifying.current &&
          latest.current.app.status !== 'loading' &&
          latest.current.app.status !== 'running'
        ) {
          verifying.current = null;
          setVerify({
            kind: 'failed',
            message:
              'The re-run did not start: this model downloads from the Hugging Face Hub, so LinScope asks first (see the question beside the Analyze button). Allow it, then press “Re-run to verify” again.',
          });
        }
      }, 500);
      return () => clearTimeout(timer);
    }
  }, [verify, app.status]);

  const buildLink = useCallback((): (PermalinkBuild & { url: string }) | null => {
    const base = appUrl();
    const state = shown
      ? { ...shown.state, focusLayer: app.focusLayer }
      : { ...latest.current.currentState(), focusLayer: app.focusLayer };
    const build = encodePermalink(state, shown?.result ?? null, { baseLength: base.length });
    return { ...build, url: `${base}${build.fragment}` };
  }, [shown, app.focusLayer]);

  const downloadFile = useCallback(() => {
    if (!shown) return;
    const state = { ...shown.state, focusLayer: app.focusLayer };
    downloadBlob(
      new Blob([linscopeFileText(state, shown.result)], { type: 'application/json' }),
      linscopeFileName(shown.state.model.id),
    );
  }, [shown, app.focusLayer]);

  const openFile = useCallback(
    async (file: File) => {
      setVerify(null);
      if (file.size > MAX_LINSCOPE_FILE_BYTES) {
        setMessage({
          kind: 'error',
          source: 'file',
          lines: [
            `“${file.name}” is ${fileSize(file.size)}; LinScope opens files up to ${fileSize(MAX_LINSCOPE_FILE_BYTES)}.`,
          ],
        });
        return;
      }
      const parsed = parseLinScopeFile(await file.text());
      if (!parsed.ok) {
        setMessage({ kind: 'error', source: 'file', lines: [`“${file.name}”: ${parsed.message}`] });
        return;
      }
      setMessage(parsed.notes.length > 0 ? { kind: 'notes', source: 'file', lines: parsed.notes } : null);
      clearFragment();
      show({ state: parsed.state, result: parsed.result, origin: { kind: 'file', name: file.name } });
    },
    [show],
  );

  /**
   * A reference fit file (`linscope analyze --save-fit`): checked in the worker and stored for the
   * next analysis; the result on screen stays.
   */
  const openFitFile = useCallback(async (file: File) => {
    const importFit = latest.current.importFit;
    if (!importFit) {
      setMessage(WORKER_NOT_READY);
      return;
    }
    setMessage({ kind: 'working', source: 'file', lines: [file.name] });
    try {
      setMessage({ kind: 'notes', source: 'file', lines: [await importFit(file)] });
    } catch (error) {
      setMessage({ kind: 'error', source: 'file', lines: [errorMessage(error)] });
    }
  }, []);

  /**
   * Files chosen or dropped together: one `.linscope.json` (or result JSON), or stats files, or a
   * hidden-state file with its token list (opened in the worker). A refusal leaves the page as it was.
   */
  const openFiles = useCallback(
    async (files: File[]) => {
      if (files.length === 1 && (await isFitFileBlob(files[0]).catch(() => false))) {
        await openFitFile(files[0]);
        return;
      }
      const imports = files.filter(isImportFile);
      if (imports.length === 0) {
        // One file of any name is read as a .linscope.json or result JSON (which says if it is not).
        if (files.length === 1) {
          await openFile(files[0]);
          return;
        }
        setMessage({
          kind: 'error',
          source: 'file',
          lines: [
            'Choose one .linscope.json, or stats files (.safetensors) together, or one hidden-state file (.safetensors or .npy) with its token list.',
          ],
        });
        return;
      }
      const importFiles = latest.current.importFiles;
      if (!importFiles) {
        setMessage(WORKER_NOT_READY);
        return;
      }
      setVerify(null);
      setMessage({ kind: 'working', source: 'file', lines: files.map((f) => f.name) });
      try {
        const { result, notes } = await importFiles(files);
        setMessage({ kind: 'notes', source: 'file', lines: notes });
        clearFragment();
        const name = imports.length === 1 ? imports[0].name : `${imports.length} stats files`;
        show({ state: importedShareState(result), result, origin: { kind: 'file', name } });
      } catch (error) {
        setMessage({ kind: 'error', source: 'file', lines: [errorMessage(error)] });
      }
    },
    [openFile, openFitFile, show],
  );

  // A .json file dropped anywhere opens as a shared analysis (before the prompt panel sees it).
  useEffect(() => {
    const isJson = (e: DragEvent) => [...(e.dataTransfer?.items ?? [])].some((i) => i.kind === 'file');
    const onDragOver = (e: DragEvent) => {
      if (isJson(e)) e.preventDefault();
    };
    const onDrop = (e: DragEvent) => {
      const file = e.dataTransfer?.files[0];
      if (!file) return;
      const dropped = [...(e.dataTransfer?.files ?? [])];
      if (dropped.some(isImportFile)) {
        e.preventDefault();
        e.stopPropagation();
        void openFiles(dropped);
      } else if (/\.json$/i.test(file.name)) {
        e.preventDefault();
        e.stopPropagation();
        void openFile(file);
      } else if (!(e.target instanceof Element && e.target.closest('[data-testid="prompt-panel"]'))) {
        // Outside the text panel a dropped file would replace the page: keep the page.
        e.preventDefault();
      }
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop, true);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop, true);
    };
  }, [openFile, openFiles]);

  return {
    shown,
    show,
    attachLinearize,
    message,
    dismissMessage: () => setMessage(null),
    verify,
    startVerify,
    buildLink,
    downloadFile,
    openFile,
    openFiles,
  };
}
