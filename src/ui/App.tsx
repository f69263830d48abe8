import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { LinScopeError } from '../errors';
import { splitCorpus } from '../job/corpus';
import { type AnalysisSettings, DEFAULT_SETTINGS } from '../job/settings';
import { exportFileName } from '../share/fileNames';
import type { ShareState } from '../share/permalinkState';
import { serializeResult } from '../share/resultJson';
import type { Job } from '../worker/client';
import type { BackendChoice, TokenCount } from '../worker/protocol';
import { appReducer, INITIAL_STATE } from './appState';
import { BackendBadge } from './BackendBadge';
import { BACKEND_CHOICES, backendChoiceFromSearch } from './backendChoice';
import { ContinuationPanel } from './ContinuationPanel';
import { downloadBlob } from './download';
import { FileButton } from './FileButton';
import { LiveCharts } from './LiveCharts';
import { ModelPicker } from './ModelPicker';
import { PromptPanel } from './PromptPanel';
import { inputTexts, type PromptInput, readPromptFile } from './promptInput';
import { ResultsView } from './ResultsView';
import { RunStatus } from './RunStatus';
import { type ReferenceChoice, SettingsPanel } from './SettingsPanel';
import { SharePanel } from './SharePanel';
import { scoringThreadsFromSearch } from './scoringThreads';
import { startParamsFromSearch } from './urlParams';
import { useBackend } from './useBackend';
import { useModelChoice } from './useModelChoice';
import { usePermalink } from './usePermalink';
import { useRecentAnalyses } from './useRecentAnalyses';
import { useWorkerClient } from './useWorkerClient';

const PAPER_URL = 'https://arxiv.org/abs/2405.12250';
/**
 * The text the page opens with: long enough (about 250 tokens for the bundled model, d = 128) that the
 * in-sample scores exist (n > d), and half Bible, half Jargon File, like the model's training text.
 */
const EXAMPLE_PROMPT = [
  'In the beginning God created the heaven and the earth. And the earth was without form, and void; and darkness was upon the face of the deep.',
  'And the Spirit of God moved upon the face of the waters. And God said, Let there be light: and there was light.',
  'And God saw the light, that it was good: and God divided the light from the darkness.',
  'A hacker is a person who enjoys exploring the details of programmable systems and how to stretch their capabilities,',
  'as opposed to most users, who prefer to learn only the minimum necessary. One who programs enthusiastically, even obsessively,',
  'or who enjoys programming rather than just theorizing about programming.',
  'A kludge is a clever programming trick intended to solve a particular nasty case in an expedient, if not clear, manner.',
  'And God called the light Day, and the darkness he called Night. And the evening and the morning were the first day.',
].join(' ');

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function App() {
  const client = useWorkerClient();
  const start = useMemo(() => startParamsFromSearch(window.location.search), []);
  // A permalink in the fragment wins over ?run=1 and over the remembered analysis.
  const hasLink = useMemo(() => window.location.hash.length > 1, []);
  const [backendChoice, setBackendChoice] = useState<BackendChoice>(() =>
    backendChoiceFromSearch(window.location.search),
  );
  const backend = useBackend(client, backendChoice);
  const [state, dispatch] = useReducer(appReducer, INITIAL_STATE);

  const choice = useModelChoice(client, start.model);
  const { models, modelId, dtype, model } = choice;
  const [input, setInput] = useState<PromptInput>({
    text: start.prompt ?? EXAMPLE_PROMPT,
    corpus: false,
    fileName: null,
  });
  const [settings, setSettings] = useState<AnalysisSettings>(DEFAULT_SETTINGS);
  const [reference, setReference] = useState<ReferenceChoice>({ kind: 'bundled' });
  const [tokenCount, setTokenCount] = useState<TokenCount | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const job = useRef<Job<unknown> | null>(null);
  const busy = state.status === 'loading' || state.status === 'running';
  const ready = backend.status === 'ready' && client !== null;

  // Token count and context, before running (not for Hub models not yet downloaded).
  useEffect(() => {
    if (!ready || !model || !choice.downloadAllowed(model.id)) {
      setTokenCount(null);
      return;
    }
    let live = true;
    const texts = (() => {
      try {
        return inputTexts(input);
      } catch {
        return [];
      }
    })();
    const timer = setTimeout(() => {
      client
        ?.countTokens(choice.request(model.id), texts)
        .then((count) => live && setTokenCount(count))
        .catch(() => live && setTokenCount(null));
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [ready, client, model, input, choice.downloadAllowed, choice.request]);

  const analyze = useCallback(
    (id: string = modelId) => {
      if (!client || !ready) return;
      if (!choice.consentToRun(id)) return;
      let texts: string[];
      try {
        texts = inputTexts(input);
      } catch (error) {
        dispatch({ type: 'failed', message: message(error) });
        return;
      }
      if (texts.length === 0) {
        dispatch({ type: 'failed', message: 'There is no text to analyse. Type or upload some text first.' });
        return;
      }
      const request = choice.request(id);
      // consentToRun said yes: a Hub model may be fetched now (its consent is recorded in state
      // that this render does not see yet).
      if (models.find((m) => m.id === id)?.source === 'hub') request.allowHub = true;
      dispatch({ type: 'start' });
      const running = client.analyze(
        {
          model: request,
          texts,
          settings,
          reference:
            reference.kind === 'bundled'
              ? 'bundled'
              : reference.kind === 'none'
                ? null
                : { source: 'user', name: reference.name, texts: reference.texts },
          threads: scoringThreadsFromSearch(window.location.search),
        },
        (progress) => dispatch({ type: 'progress', progress }),
        (partial) => dispatch({ type: 'partial', partial }),
      );
      job.current = running;
      running.done.then(
        (result) => {
          if (job.current === running) dispatch({ type: 'done', result });
        },
        (error: unknown) => {
          if (job.current !== running) return;
          if (error instanceof LinScopeError && error.code === 'ABORTED') dispatch({ type: 'cancelled' });
          else dispatch({ type: 'failed', message: message(error) });
        },
      );
    },
    [client, ready, models, modelId, input, settings, reference, choice.consentToRun, choice.request],
  );

  const cancel = () => {
    job.current?.cancel();
  };

  const currentShareState = useCallback(
    (): ShareState => ({
      model: { id: modelId, revision: 'main', dtype },
      settings,
      reference:
        reference.kind === 'user' ? { kind: 'user', name: reference.name } : { kind: reference.kind },
      input: { text: input.text, corpus: input.corpus },
      focusLayer: state.focusLayer,
    }),
    [modelId, dtype, settings, reference, input, state.focusLayer],
  );

  const { applyShared } = choice;
  const applyShareState = useCallback(
    (shared: ShareState) => {
      applyShared(shared.model.id, shared.model.dtype);
      setInput({ text: shared.input.text, corpus: shared.input.corpus, fileName: null });
      setSettings(shared.settings);
      setReference(shared.reference.kind === 'none' ? { kind: 'none' } : { kind: 'bundled' });
    },
    [applyShared],
  );

  const permalink = usePermalink({
    app: state,
    dispatch,
    currentState: currentShareState,
    applyState: applyShareState,
    analyze: () => analyze(),
    modelSource: model?.source,
    ready,
  });
  const recent = useRecentAnalyses(
    permalink.shown,
    permalink.show,
    !hasLink && !start.model && start.prompt === null && !start.run,
  );

  // ?run=1 starts once the runtime is ready.
  const autoStarted = useRef(false);
  useEffect(() => {
    if (start.run && !hasLink && ready && choice.startModelKnown && !autoStarted.current) {
      autoStarted.current = true;
      analyze(start.model ?? modelId);
    }
  }, [start, hasLink, ready, choice.startModelKnown, analyze, modelId]);

  /**
   * Runs a user's file action: success clears the notice, a failure becomes it, and the work on the
   * page stays as it was.
   */
  const withNotice =
    <T,>(action: (arg: T) => Promise<void>) =>
    async (arg: T) => {
      try {
        await action(arg);
        setNotice(null);
      } catch (error) {
        setNotice(message(error));
      }
    };

  const onFile = withNotice(async (file: File) => setInput(await readPromptFile(file)));

  const onReferenceFile = withNotice(async (file: File) => {
    const read = await readPromptFile(file);
    const texts = splitCorpus(read.text, file.name);
    if (texts.length === 0) throw new LinScopeError('BAD_INPUT', `“${file.name}” is empty.`);
    setReference({ kind: 'user', name: file.name, texts });
  });

  const exportJson = () => {
    if (!state.result) return;
    downloadBlob(
      new Blob([serializeResult(state.result)], { type: 'application/json' }),
      exportFileName(state.result.model.id, 'result', 'json'),
    );
  };

  const continueText = async (fromScratch: boolean): Promise<string> => {
    if (!client) throw new LinScopeError('INTERNAL', 'The runtime is not ready yet.');
    const request = choice.request(modelId);
    if (!choice.downloadAllowed(modelId)) {
      throw new LinScopeError('BAD_INPUT', 'Allow the download of this model first: press Analyze.');
    }
    const prompt = fromScratch ? '' : input.text.slice(0, 2000);
    return (await client.generate(request, prompt, 40)).text;
  };

  const exportHidden = async () => {
    if (!client || !state.result) return;
    try {
      const file = await client.exportHidden();
      downloadBlob(
        new Blob([file as BlobPart], { type: 'application/octet-stream' }),
        exportFileName(state.result.model.id, 'hidden-states', 'safetensors'),
      );
    } catch (error) {
      setNotice(message(error));
    }
  };

  return (
    <div className="app">
      <header className="app__header">
        <h1 className="app__title">LinScope</h1>
        <p className="app__tagline">See how a language model transforms text, layer by layer.</p>
        <div className="app__runtime">
          <label>
            Backend{' '}
            <select
              value={backendChoice}
              onChange={(e) => setBackendChoice(e.target.value as BackendChoice)}
              data-testid="backend-select"
              disabled={busy}
            >
              {BACKEND_CHOICES.map((c) => (
                <option key={c} value={c}>
                  {c === 'auto' ? 'Auto (WebGPU, else WASM)' : c === 'webgpu' ? 'WebGPU' : 'WASM'}
                </option>
              ))}
            </select>
          </label>
          <BackendBadge state={backend} />
        </div>
      </header>
      <main className="app__main">
        <section className="app__controls" aria-label="What to analyse">
          {permalink.message && (
            <div
              className={`link-message link-message--${permalink.message.kind}`}
              role={permalink.message.kind === 'error' ? 'alert' : 'status'}
              data-testid="link-message"
              data-kind={permalink.message.kind}
            >
              <p className="link-message__title">
                {permalink.message.kind === 'error'
                  ? `This ${permalink.message.source} could not be opened; nothing from it was used.`
                  : `Opened from a ${permalink.message.source}, with notes:`}
              </p>
              <ul>
                {permalink.message.lines.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
              <button type="button" onClick={permalink.dismissMessage}>
                Dismiss
              </button>
            </div>
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
            onChange={setInput}
            onFile={onFile}
          />
          <ContinuationPanel disabled={!ready || busy} onContinue={continueText} />
          <SettingsPanel
            settings={settings}
            reference={reference}
            disabled={busy}
            onSettings={setSettings}
            onReference={setReference}
            onReferenceFile={onReferenceFile}
          />
          {notice && (
            <p className="notice" role="alert" data-testid="notice">
              {notice}
            </p>
          )}
          {choice.pendingDownload && (
            <div
              className="confirm"
              role="alertdialog"
              aria-labelledby="confirm-title"
              data-testid="download-confirm"
            >
              <p id="confirm-title">
                {choice.pendingDownload.id} downloads{' '}
                {choice.pendingDownload.mb === null
                  ? 'an unknown amount of data'
                  : `about ${choice.pendingDownload.mb} MB`}{' '}
                from the Hugging Face Hub (kept in your browser’s cache for next time). Your text stays on
                this page.
              </p>
              <div className="row">
                <button
                  type="button"
                  className="primary"
                  data-testid="confirm-download"
                  onClick={choice.confirmDownload}
                >
                  Allow the download
                </button>
                <button type="button" onClick={choice.dismissDownload}>
                  Not now
                </button>
              </div>
            </div>
          )}
          <div className="row run-controls">
            <button
              type="button"
              className="primary"
              data-testid="analyze-button"
              disabled={!ready || busy}
              onClick={() => analyze()}
            >
              Analyze
            </button>
            {busy && (
              <button type="button" data-testid="cancel-button" onClick={cancel}>
                Cancel
              </button>
            )}
          </div>
          <RunStatus state={state} backend={backend} />
          <div className="row shared-inputs">
            <FileButton
              testId="open-linscope-file"
              accept=".json,application/json"
              onFiles={(files) => void permalink.openFile(files[0])}
            >
              Open a shared analysis (.linscope.json)…
            </FileButton>
            {recent.recent.length > 0 && (
              <label>
                Recent{' '}
                <select
                  data-testid="recent-select"
                  value=""
                  disabled={busy}
                  onChange={(e) => e.target.value && recent.open(Number(e.target.value))}
                >
                  <option value="">Reopen a recent analysis…</option>
                  {recent.recent.map((r) => (
                    <option key={r.savedAt} value={r.savedAt}>
                      {r.title}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
        </section>
        <section className="app__results" aria-label="Results">
          {state.partial ? (
            <LiveCharts
              partial={state.partial}
              focusLayer={state.focusLayer}
              onFocusLayer={(layer) => dispatch({ type: 'focus', layer })}
            />
          ) : state.result ? (
            <ResultsView
              result={state.result}
              stale={state.stale}
              focusLayer={state.focusLayer}
              onFocusLayer={(layer) => dispatch({ type: 'focus', layer })}
              onExportJson={exportJson}
              onExportHidden={
                permalink.shown?.origin.kind === 'run'
                  ? exportHidden
                  : () => setNotice('Hidden states exist only for a run in this tab: press Analyze first.')
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
          ) : (
            <div className="app__about">
              <p>
                Consecutive layers of decoder language models are about 99% linearly related (
                <a href={PAPER_URL} rel="noreferrer" target="_blank">
                  “Your Transformer is Secretly Linear”
                </a>
                , ACL 2024). LinScope runs a model in this tab, on your text, and shows where that holds and
                where it breaks: per layer, and per token. Nothing you type leaves this page.
              </p>
              <p>Pick a model, give it some text and press Analyze.</p>
            </div>
          )}
        </section>
      </main>
    </div>
  );
}
