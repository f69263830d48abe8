/**
 * Whether one load may fetch a model's files from the Hugging Face Hub, said per load.
 *
 * transformers.js reads `env.allowRemoteModels` at every file it fetches, so a process-wide switch
 * set before each request reaches every load still under way: in the page's worker, a token count for
 * a bundled model (Hub off) turned the Hub off under a Hub model's download. The runtime's switch
 * now says what the process allows at most (the CLI: a Hub id or a folder given as --model), and
 * each load narrows it with transformers.js's own per-call option, `local_files_only`.
 */
import type { LinScopeRuntime } from './augmentingRuntime';

/** Whether a load of a model asked for with `hub` may fetch from the Hub (unset: as the runtime allows). */
export function loadsFromHub(rt: Pick<LinScopeRuntime, 'transformers'>, hub: boolean | undefined): boolean {
  return rt.transformers.env.allowRemoteModels !== false && hub !== false;
}

/** The transformers.js options that keep a load to the files the runtime already has, where it must. */
export function hubOptions(fromHub: boolean): { local_files_only: boolean } {
  return { local_files_only: !fromHub };
}
