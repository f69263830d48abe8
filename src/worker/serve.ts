/**
 * The worker's message loop, apart from `self` so that tests drive it in-process: one
 * AbortController per request, each request handed to its handler, each outcome posted back with
 * the request's id. Large arrays (per-token values, the hidden-states file) are transferred.
 */
import { LinScopeError } from '../errors';
import { transferableBuffers } from '../job/transfer';
import { toWireError } from './errors';
import type { WorkerHandlers } from './handlers';
import type { WorkerEvent, WorkerRequest } from './protocol';

/** Where events go: `postMessage` of a worker's global scope, or a test's collector. */
export type PostEvent = (event: WorkerEvent, transfer: Transferable[]) => void;

async function handle(
  handlers: WorkerHandlers,
  request: Exclude<WorkerRequest, { type: 'cancel' }>,
  signal: AbortSignal,
  post: PostEvent,
): Promise<[WorkerEvent, Transferable[]]> {
  const { id } = request;
  switch (request.type) {
    case 'probe':
      return [{ type: 'backend', id, info: await handlers.probe(request.backend, request.assetBase) }, []];
    case 'analyze': {
      const { tail } = await handlers.analyze(request.request, {
        signal,
        onProgress: (progress) => post({ type: 'progress', id, progress }, []),
        onPlan: (plan) => post({ type: 'plan', id, plan }, []),
        onStarted: (head) => post({ type: 'started', id, head }, []),
        onPair: (record) => post({ type: 'pair', id, record }, []),
        onFirstView: (firstView) => post({ type: 'first-view', id, firstView }, []),
        onReferenceView: (tail) => post({ type: 'reference-view', id, tail }, []),
        onFitSetAside: (note) => post({ type: 'fit-set-aside', id, note }, []),
      });
      return [{ type: 'result', id, tail }, transferableBuffers(tail)];
    }
    case 'linearize': {
      const result = await handlers.linearize(request.request, {
        signal,
        onProgress: (progress) => post({ type: 'progress', id, progress }, []),
        onPartial: (partial) => post({ type: 'linearize-partial', id, partial }, []),
        onFitSetAside: (note) => post({ type: 'fit-set-aside', id, note }, []),
      });
      return [{ type: 'linearized', id, result }, []];
    }
    case 'count-tokens':
      return [
        { type: 'token-count', id, count: await handlers.countTokens(request.model, request.texts) },
        [],
      ];
    case 'prepare-reference': {
      const ready = await handlers.prepareReference(request.request, {
        signal,
        onProgress: (progress) => post({ type: 'progress', id, progress }, []),
        onFitSetAside: (note) => post({ type: 'fit-set-aside', id, note }, []),
      });
      return [{ type: 'reference-prepared', id, ready }, []];
    }
    case 'load-ahead':
      return [{ type: 'model-loaded', id, ready: await handlers.loadAhead(request.model) }, []];
    case 'open-folder':
      return [{ type: 'opened', id, modelId: await handlers.openFolder(request.name, request.files) }, []];
    case 'open-llama2c': {
      const modelId = await handlers.openLlama2c(request.name, request.checkpoint, request.tokenizer);
      return [{ type: 'opened', id, modelId }, []];
    }
    case 'generate': {
      const { text, ids } = await handlers.generate(request.model, request.prompt, request.maxNewTokens);
      return [{ type: 'generated', id, text, ids }, []];
    }
    case 'import': {
      const { tail, notes } = await handlers.importFiles(request.request, {
        signal,
        onProgress: (progress) => post({ type: 'progress', id, progress }, []),
        onStarted: (head) => post({ type: 'started', id, head }, []),
        onPair: (record) => post({ type: 'pair', id, record }, []),
      });
      return [{ type: 'imported', id, tail, notes }, transferableBuffers(tail)];
    }
    case 'import-fit':
      return [{ type: 'fit-imported', id, message: await handlers.importFit(request.request) }, []];
    case 'export-hidden': {
      const file = handlers.exportHidden();
      return [{ type: 'hidden-states', id, file }, [file.buffer as ArrayBuffer]];
    }
    default: {
      const unknown: never = request;
      throw new LinScopeError('BAD_INPUT', `unknown request ${JSON.stringify(unknown)}`);
    }
  }
}

/** A message handler for `handlers` that answers through `post`. */
export function serveRequests(
  handlers: WorkerHandlers,
  post: PostEvent,
): (request: WorkerRequest) => Promise<void> {
  const running = new Map<number, AbortController>();
  return async (request) => {
    if (request.type === 'cancel') {
      running.get(request.id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(request.id, controller);
    try {
      const [event, transfer] = await handle(handlers, request, controller.signal, post);
      post(event, transfer);
    } catch (error) {
      const wire = toWireError(error);
      // Unexpected failures keep their stack in the console, for bug reports.
      if (wire.code === 'INTERNAL') console.error('LinScope worker:', error);
      post({ type: 'error', id: request.id, error: wire }, []);
    } finally {
      running.delete(request.id);
    }
  };
}
