import { useCallback, useEffect, useMemo, useState } from 'react';
import { LinScopeError } from '../errors';
import { referenceTooSmall } from '../job/corpus';
import { reportedDeviceMemoryGb } from '../model/deviceMemory';
import { isCompareFragment } from '../share/comparePermalink';
import type { ShareState } from '../share/permalinkState';
import type { WorkerClient } from '../worker/client';
import type { BackendChoice } from '../worker/protocol';
import { AheadNotes } from './AheadNotes';
import { fitImportRequest, inputProblem, referenceAheadRequest } from './analyzeRequest';
import { BackendBadge } from './BackendBadge';
import { BackendSelect } from './BackendSelect';
import { initialBackendChoice, rememberBackendChoice } from './backendChoice';
import { ContinuationPanel } from './ContinuationPanel';
import { CompareView } from './compare/CompareView';
import { useCompare } from './compare/useCompare';
import { continueText } from './continueText';
import { DownloadConsent } from './DownloadConsent';
import { deviceLossNotice } from './deviceLossNotice';
import { ExperimentPanel } from './ExperimentPanel';
import { errorMessage } from './errorMessage';
import { EXAMPLE_PROMPT } from './examplePrompt';
import { changedInputs } from './experimentRequest';
import { FileButton } from './FileButton';
import { LinkMessageBox } from './LinkMessageBox';
import { ModelPicker } from './ModelPicker';
import { memoryProblem } from './memoryBudget';
import { PromptPanel } from './PromptPanel';
import { RecentSelect } from './RecentSelect';
import { ResultsPane } from './ResultsPane';
import { RESULTS_HEADING_ID } from './ResultsView';
import { RunControls } from './RunControls';
import { RunStatus } from './RunStatus';
import { referenceTokensPerDimFromSearch } from './referenceTokensPerDim';
import { pageStorage } from './rememberedChoice';
import { downloadHiddenStates, downloadResultJson } from './resultExports';
import { SettingsPanel } from './SettingsPanel';
import { SharePanel } from './SharePanel';
import { scoringThreadsFromSearch } from './scoringThreads';
import { shareStateOf } from './shareInputs';
import { staleNote } from './staleNote';
import { startParamsFromSearch } from './urlParams';
import { useAnalysisInputs } from './useAnalysisInputs';
import { useAnalysisRun } from './useAnalysisRun';
import { useAnalyze } from './useAnalyze';
import { useAutoStart } from './useAutoStart';
import { useBackend } from './useBackend';
import { useExperiment } from './useExperiment';
import { useFocusOnDone } from './useFocusOnDone';
import { useLoadAhead } from './useLoadAhead';
import { useModelChoice } from './useModelChoice';
import { useNotice } from './useNotice';
import { type ShownAnalysis, usePermalink } from './usePermalink';
import { useRecentAnalyses } from './useRecentAnalyses';
import {
  referenceAheadFromSearch,
  rememberReferenceAhead,
  storedReferenceAhead,
  useReferenceAhead,
} from './useReferenceAhead';
import { useTokenCount } from './useTokenCount';
import { useWorkerClient } from './useWorkerClient';

/** The explorer: the inputs on one side, the run's charts on the other; the hooks hold the state. */
export function App() {
  const client = useWorkerClient();
  const start = useMemo(() => startParamsFromSearch(window.location.search), []);
  // A permalink in the fragment wins over ?run=1 and over the remembered analysis (a compare link
  // is the compare view's: the page then restores its latest analysis as usual).
  const hasLink = useMemo(
    () => window.location.hash.length > 1 && !isCompareFragment(window.location.hash),
    [],
  );
  const [backendChoice, setBackendChoice] = useState<BackendChoice>(() =>
    initialBackendChoice(window.location.search, pageStorage()),
  );
  const chooseBackend = useCallback((choice: BackendChoice) => {
    rememberBackendChoice(choice, pageStorage());
    setBackendChoice(choice);
  }, []);
  const backend = useBackend(client, backendChoice);
  const run = useAnalysisRun(client);
  const { state, dispatch } = run;
  const choice = useModelChoice(client, start.model);
  const { models, modelId, dtype, model } = choice;
  const inputs = useAnalysisInputs(start.prompt ?? EXAMPLE_PROMPT);
  const { input, settings, reference } = inputs;
  // An error of a run for another model or weights no longer applies once the picker changes.
  useEffect(() => dispatch({ type: 'model', model: { id: modelId, dtype } }), [modelId, dtype, dispatch]);
  const { notice, setNotice, withNotice } = useNotice();
  // A fit opened from a file that turned out made for other weights, once the model was loaded.
  useEffect(() => client?.onFitSetAside(setNotice), [client, setNotice]);
  // A `?model=` that is no model id is said once, on load; nothing was looked up for it.
  useEffect(() => {
    if (start.refusedModel) setNotice(start.refusedModel);
  }, [start, setNotice]);
  // Splitting a corpus is not free: once per input, not per progress event.
  // Bad text first; then a model too large for this device is refused before anything loads.
  const problem = useMemo(
    () => inputProblem(input) ?? memoryProblem(model, dtype, reportedDeviceMemoryGb()),
    [input, model, dtype],
  );
  const ready = backend.status === 'ready' && client !== null;
  const tokenCount = useTokenCount({
    ready,
    client,
    modelId: model?.id,
    input,
    downloadAllowed: choice.downloadAllowed,
    request: choice.request,
  });

  const analyze = useAnalyze(client, ready, choice, inputs, run);
  // "Analyze this text" sets the prompt, then analyzes it once the page holds it.
  const [analyzeNext, setAnalyzeNext] = useState(false);
  useEffect(() => {
    if (!analyzeNext) return;
    setAnalyzeNext(false);
    analyze();
  }, [analyzeNext, analyze]);

  /** A fit file for the model, reference and settings the next Analyze would send (`fitImportRequest`). */
  const importFit = async (worker: WorkerClient, file: File): Promise<string> => {
    const request = fitImportRequest({
      model: choice.request(modelId),
      settings,
      reference,
      referenceTokensPerDim: referenceTokensPerDimFromSearch(window.location.search),
      file: { name: file.name, file },
    });
    if (!request.ok) throw new LinScopeError('BAD_INPUT', request.message);
    return worker.importFit(request.request);
  };

  const currentShareState = useCallback(
    () => shareStateOf({ id: modelId, dtype }, { input, settings, reference }, state.focusLayer),
    [modelId, dtype, settings, reference, input, state.focusLayer],
  );

  const { applyShared } = choice;
  const applyInputs = inputs.applyShared;
  const applyShareState = useCallback(
    (shared: ShareState, origin: ShownAnalysis['origin']['kind']) => {
      applyShared(shared.model.id, shared.model.dtype);
      // An analysis put back (the last one, after a reload; a link) may give way to a reloaded draft.
      applyInputs(shared, origin === 'recent' || origin === 'link');
    },
    [applyShared, applyInputs],
  );

  const permalink = usePermalink({
    app: state,
    dispatch,
    currentState: currentShareState,
    applyState: applyShareState,
    analyze: () => analyze(),
    modelSource: model?.source,
    ready,
    importFiles: client
      ? (files) =>
          client.importFiles({ files: files.map((file) => ({ name: file.name, file })), settings }).done
      : undefined,
    importFit: client ? (file) => importFit(client, file) : undefined,
  });
  const recent = useRecentAnalyses(
    permalink.shown,
    permalink.show,
    !hasLink && !start.model && start.prompt === null && !start.run,
  );

  // What the user changed since the result on screen was computed (the result stays; a note says so).
  const shownState = permalink.shown?.state ?? null;
  const changed = useMemo(
    () => (shownState ? changedInputs(shownState, currentShareState()) : []),
    [shownState, currentShareState],
  );
  const note = staleNote(state.status, state.stale, changed);
  useFocusOnDone(state.status, RESULTS_HEADING_ID, 'analyze-button');

  const compare = useCompare();

  const experiment = useExperiment({
    client,
    ready,
    shown: permalink.shown,
    currentState: currentShareState,
    reference,
    choice,
    onResult: permalink.attachLinearize,
  });
  // The analysis and the experiment share the worker's model: one runs at a time, inputs locked.
  const busy = run.busy || experiment.busy;
  const loadAhead = useLoadAhead({
    enabled: ready && !busy && memoryProblem(model, dtype, reportedDeviceMemoryGb()) === null,
    client,
    modelId: model?.id,
    request: choice.request,
  });
  // Then the reference the next Analyze would fit, in the background while the user writes: unless
  // the user turned that off (remembered) or the URL does (`?referenceAhead=0`).
  const [fitAhead, setFitAhead] = useState(
    () => referenceAheadFromSearch(window.location.search) && storedReferenceAhead(pageStorage()),
  );
  const chooseFitAhead = useCallback((on: boolean) => {
    setFitAhead(on);
    rememberReferenceAhead(on, pageStorage());
  }, []);
  const aheadRequest = useMemo(
    () =>
      modelId && fitAhead
        ? referenceAheadRequest({
            model: choice.request(modelId),
            settings,
            reference,
            threads: scoringThreadsFromSearch(window.location.search),
            referenceTokensPerDim: referenceTokensPerDimFromSearch(window.location.search),
          })
        : null,
    [modelId, choice.request, settings, reference, fitAhead],
  );
  const referenceAhead = useReferenceAhead({
    enabled: loadAhead === 'ready' && !busy,
    client,
    request: aheadRequest,
  });
  // A model that loaded from the browser's own files needs no download: it is not asked about.
  const { markOnDevice } = choice;
  useEffect(() => {
    if (loadAhead === 'ready' && modelId) markOnDevice(modelId, dtype);
  }, [loadAhead, modelId, dtype, markOnDevice]);

  // As the Analyze button: a link whose text or model it would refuse starts nothing, and the hint
  // beside the button says why, in the words it has for a typed text.
  useAutoStart(start.run && !hasLink && ready && choice.startModelKnown, () => {
    if (problem === null) analyze(start.model ?? modelId);
  });

  // A reference the chosen model cannot use (n <= d) is refused when it is chosen, not after a run.
  const referenceRefusal = async (name: string, texts: string[]): Promise<string | null> => {
    if (!client || !ready) return null;
    try {
      const count = await client.countTokens(choice.request(modelId), texts);
      return referenceTooSmall(name, count.tokens, count.hidden);
    } catch {
      // The tokenizer cannot be read now (a Hub model not yet allowed): the run checks it instead.
      return null;
    }
  };

  const exportHidden = async () => {
    if (!client || !state.result) return;
    try {
      await downloadHiddenStates(client, state.result.model.id);
    } catch (error) {
      setNotice(errorMessage(error));
    }
  };

  return (
    <div className="app">
      <header className="app__header">
        <h1 className="app__title">LinScope</h1>
        <p className="app__tagline">See how a language model transforms text, layer by layer.</p>
        <div className="app__runtime">
          <BackendSelect value={backendChoice} disabled={busy} onChange={chooseBackend} />
          <BackendBadge state={backend} />
        </div>
      </header>
      <main className="app__main">
        <section className="app__controls" aria-label="What to analyze">
          {backend.fallback && (
            <p className="notice" role="alert" data-testid="device-lost-notice">
              {deviceLossNotice(backend.fallback.loss, backend.fallback.rerun, backendChoice)}
            </p>
          )}
          {permalink.message && (
            <LinkMessageBox message={permalink.message} onDismiss={permalink.dismissMessage} />
          )}
          <ModelPicker
            models={models}
            modelId={modelId}
            dtype={dtype}
            disabled={busy}
            onModel={choice.select}
            onDtype={choice.setDtype}
            onHubId={choice.selectTypedId}
            onOpenFolder={withNotice(choice.openFolder)}
            onOpenLlama2c={withNotice(choice.openLlama2c)}
          />
          <PromptPanel
            input={input}
            disabled={busy}
            tokenCount={tokenCount}
            windowLength={settings.maxWindow}
            onChange={inputs.setInput}
            onFile={withNotice(inputs.readPromptFile)}
          />
          <ContinuationPanel
            disabled={!ready || busy}
            onContinue={(fromScratch) => continueText(client, choice, modelId, input.text, fromScratch)}
            onAnalyze={(text) => {
              inputs.setInput({ text, corpus: false, fileName: null });
              setAnalyzeNext(true);
            }}
          />
          <SettingsPanel
            settings={settings}
            reference={reference}
            disabled={busy}
            onSettings={inputs.setSettings}
            onReference={inputs.setReference}
            onReferenceFile={withNotice((file: File) =>
              inputs.readReferenceFile(file, (texts) => referenceRefusal(file.name, texts)),
            )}
            fitAhead={fitAhead}
            onFitAhead={chooseFitAhead}
          />
          {notice && (
            <p className="notice" role="alert" data-testid="notice">
              {notice}
            </p>
          )}
          {choice.pendingDownload && (
            <DownloadConsent
              pending={choice.pendingDownload}
              onConfirm={choice.confirmDownload}
              onDismiss={choice.dismissDownload}
            />
          )}
          <RunControls
            canStart={ready && !busy}
            inputProblem={problem}
            busy={run.busy}
            onAnalyze={() => analyze()}
            onCancel={run.cancel}
          />
          <RunStatus state={state} backend={backend} />
          <AheadNotes
            loadAhead={loadAhead}
            referenceAhead={referenceAhead.state}
            onStopReference={referenceAhead.stop}
          />
          <div className="row shared-inputs">
            <FileButton
              testId="open-linscope-file"
              accept=".json,application/json,.safetensors,.npy,.txt"
              multiple
              onFiles={(files) => void permalink.openFiles(files)}
            >
              Open a shared analysis (.linscope.json), stats files, hidden states or a reference fit…
            </FileButton>
            <RecentSelect
              recent={recent.recent}
              disabled={busy}
              onOpen={recent.open}
              onForget={() => void withNotice(recent.forget)(undefined)}
            />
          </div>
          <div className="row">
            <button
              type="button"
              data-testid="compare-add-shown"
              disabled={!permalink.shown}
              onClick={() => permalink.shown && compare.addResult(permalink.shown.result)}
            >
              Add to compare
            </button>
            <span className="hint">
              {compare.entries.length > 0
                ? `${compare.entries.length} in the comparison below`
                : 'Puts the result shown into the comparison below'}
            </span>
          </div>
        </section>
        <ResultsPane
          state={state}
          onFocusLayer={(layer) => dispatch({ type: 'focus', layer })}
          onExportJson={() => state.result && downloadResultJson(state.result)}
          onExportHidden={permalink.shown?.origin.kind === 'run' ? exportHidden : null}
          staleNote={note}
          selectedBlocks={experiment.selected}
          onToggleBlock={experiment.toggle}
          liveLinearize={experiment.state.partial}
          experiment={
            <ExperimentPanel
              blocks={experiment.blocks}
              selected={experiment.selected}
              onToggle={experiment.toggle}
              maps={experiment.maps}
              onMaps={experiment.setMaps}
              continuation={experiment.continuation}
              onContinuation={experiment.setContinuation}
              state={experiment.state}
              blocked={run.busy || !ready}
              onRun={experiment.run}
              onCancel={experiment.cancel}
            />
          }
          share={
            <SharePanel
              origin={permalink.shown?.origin ?? null}
              onBuild={permalink.buildLink}
              onDownloadFile={permalink.downloadFile}
              verify={permalink.verify}
              onVerify={permalink.startVerify}
              busy={busy || !ready}
            />
          }
        />
      </main>
      <CompareView compare={compare} recent={recent.recent} />
    </div>
  );
}
