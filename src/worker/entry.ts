/// <reference lib="webworker" />
/**
 * The worker's message loop: one AbortController per job, each request handed to its handler,
 * each outcome posted back with the request's id.
 */
import { LinScopeError } from '../errors';
import { toWireError } from './errors';
import {
  handleAnalyze,
  handleCountTokens,
  handleExportHidden,
  handleGenerate,
  handleOpenFolder,
  handleOpenLlama2c,
  handleProbe,
} from './handlers';
import type { WorkerEvent, WorkerRequest } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

function post(event: WorkerEvent): void {
  self.postMessage(event);
}

const running = new Map<number, AbortController>();

async function handle(
  request: Exclude<WorkerRequest, { type: 'cancel' }>,
  signal: AbortSignal,
): Promise<WorkerEvent> {
  const { id } = request;
  switch (request.type) {
    case 'probe':
      return { type: 'backend', id, info: await handleProbe(request.backend, request.assetBase) };
    case 'analyze': {
      const result = await handleAnalyze(request.request, {
        signal,
        onProgress: (progress) => post({ type: 'progress', id, progress }),
        onPartial: (partial) => post({ type: 'partial', id, partial }),
      });
      return { type: 'result', id, result };
    }
    case 'count-tokens':
      return { type: 'token-count', id, count: await handleCountTokens(request.model, request.texts) };
    case 'open-folder':
      return { type: 'opened', id, modelId: await handleOpenFolder(request.name, request.files) };
    case 'open-llama2c':
      return {
        type: 'opened',
        id,
        modelId: await handleOpenLlama2c(request.name, request.checkpoint, request.tokenizer),
      };
    case 'generate': {
      const { text, ids } = await handleGenerate(request.model, request.prompt, request.maxNewTokens);
      return { type: 'generated', id, text, ids };
    }
    case 'export-hidden':
      return { type: 'hidden-states', id, file: handleExportHidden() };
    default: {
      const unknown: never = request;
      throw new LinScopeError('BAD_INPUT', `unknown request ${JSON.stringify(unknown)}`);
    }
  }
}

self.onmessage = async (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  if (request.type === 'cancel') {
    running.get(request.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(request.id, controller);
  try {
    const event = await handle(request, controller.signal);
    // Large arrays cross without a copy.
    self.postMessage(event, event.type === 'hidden-states' ? [event.file.buffer as ArrayBuffer] : []);
  } catch (error) {
    // Unexpected failures keep their stack in the console, for bug reports.
    if (toWireError(error).code === 'INTERNAL') console.error('LinScope worker:', error);
    post({ type: 'error', id: request.id, error: toWireError(error) });
  } finally {
    running.delete(request.id);
  }
};
