// A pair worker in Node (a worker thread started by nodePairWorkers.ts): tsx's loader, then the
// TypeScript entry, as in bin.mjs.
import { register } from 'tsx/esm/api';

register();
await import('./pairWorker.ts');
