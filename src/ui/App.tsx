import { useEffect, useState } from 'react';
import { WorkerClient } from '../worker/client';
import type { BackendChoice } from '../worker/protocol';
import { BackendBadge } from './BackendBadge';
import { BACKEND_CHOICES, backendChoiceFromSearch } from './backendChoice';
import { useBackend } from './useBackend';

const PAPER_URL = 'https://arxiv.org/abs/2405.12250';

export function App() {
  const [client, setClient] = useState<WorkerClient | null>(null);
  const [choice, setChoice] = useState<BackendChoice>(() => backendChoiceFromSearch(window.location.search));
  const backend = useBackend(client, choice);

  useEffect(() => {
    const c = new WorkerClient();
    setClient(c);
    return () => c.terminate();
  }, []);

  const state = backend.status === 'probing' ? 'loading' : backend.status === 'failed' ? 'error' : 'idle';

  return (
    <div className="app">
      <header className="app__header">
        <h1 className="app__title">LinScope</h1>
        <p className="app__tagline">See how a language model transforms text, layer by layer.</p>
        <div className="app__runtime">
          <label>
            Backend{' '}
            <select
              value={choice}
              onChange={(e) => setChoice(e.target.value as BackendChoice)}
              data-testid="backend-select"
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
        <p data-testid="status" data-state={state} className="app__status">
          {state === 'loading'
            ? 'Starting the runtime…'
            : state === 'error'
              ? 'The runtime could not start.'
              : 'Ready.'}
        </p>
        {backend.status === 'failed' && (
          <p role="alert" data-testid="error-message" className="app__error">
            {backend.message} Choose another backend above.
          </p>
        )}
        <section className="app__about">
          <p>
            Consecutive layers of decoder language models are about 99% linearly related (
            <a href={PAPER_URL} rel="noreferrer" target="_blank">
              “Your Transformer is Secretly Linear”
            </a>
            , ACL 2024). LinScope runs small models in your browser, on your text, and shows where that holds
            and where it breaks. Nothing you type leaves this page.
          </p>
        </section>
      </main>
    </div>
  );
}
