/**
 * Which outputs of the augmented model's session one analysis forward fetches, and which it leaves
 * where onnxruntime computed them. A fetched output is copied out of the runtime (on WebGPU, one
 * GPU-to-CPU download each); an output left out of the fetches is never copied: on WebGPU it stays
 * in GPU memory and is freed there. The analysis reads the hidden states and the last block's
 * pre-norm output; the KV cache (`present.*`) never; the logits only when the caller scores a loss
 * on them. The logit lens does not read them: it runs in a session of its own (logitLensGraph.ts).
 */
import { LinScopeError } from '../errors';
import type { HiddenStatePlan } from './hiddenStateFinder';

/** What the caller of one forward reads besides the hidden states. */
export interface ForwardReads {
  /** The model's logits [T, V] (a loss over them, a comparison with a reference). */
  logits: boolean;
}

export interface ForwardFetchPlan {
  /** The outputs to pass as `session.run`'s fetches, each once, in this order. */
  fetches: string[];
  /** The session's outputs not fetched: computed, never copied out (on WebGPU: kept on the GPU). */
  leftBehind: string[];
}

/** The name transformers.js-style decoder exports give their logits output. */
export const LOGITS_OUTPUT = 'logits';

/**
 * The fetches of one forward over a session whose outputs are `outputNames` (the augmented graph's:
 * its own outputs, then the hidden states `augmentGraph` declared).
 */
export function planForwardFetches(
  outputNames: readonly string[],
  plan: Pick<HiddenStatePlan, 'hiddenStates' | 'lastBlockOutput'>,
  reads: ForwardReads,
): ForwardFetchPlan {
  const wanted = [...plan.hiddenStates, plan.lastBlockOutput];
  if (reads.logits) wanted.push(LOGITS_OUTPUT);
  const available = new Set(outputNames);
  const missing = wanted.filter((name) => !available.has(name));
  if (missing.length > 0)
    throw new LinScopeError('INTERNAL', `the model session has no output ${missing.join(', ')}`);
  const fetches = [...new Set(wanted)];
  const fetched = new Set(fetches);
  return { fetches, leftBehind: outputNames.filter((name) => !fetched.has(name)) };
}
