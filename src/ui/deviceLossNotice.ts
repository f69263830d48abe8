import type { BackendChoice, DeviceLoss } from '../worker/protocol';

/** How the page names what the GPU said (the browser's words, or what a failed run said). */
function cause(loss: DeviceLoss): string {
  if (loss.reason === 'destroyed' || loss.reason === 'unknown' || loss.reason === 'run-failed')
    return loss.message;
  return `${loss.reason}: ${loss.message}`;
}

/**
 * What the page says once the WebGPU device was lost and LinScope moved to WASM: why, that the
 * numbers do not change, what happened to a run under way, and what the next visit does. The
 * remembered choice (`linscope.backend`) is left as the user made it: a lost device is usually
 * passing (a driver update or reset, a GPU process restart), and moving the choice to WASM for
 * good would make every later visit slower without saying so.
 */
export function deviceLossNotice(loss: DeviceLoss, rerun: boolean, choice: BackendChoice): string {
  const run = rerun ? ' The analysis that was running starts again on the CPU.' : '';
  const next =
    choice === 'wasm'
      ? ''
      : ` This tab stays on the CPU; the next time LinScope is opened it tries ${choice === 'webgpu' ? 'WebGPU' : 'the GPU'} again, as your Backend choice says (choose WASM there to stay on the CPU).`;
  return `The GPU stopped (${cause(loss)}). LinScope switched to WebAssembly on the CPU: results are the same, only slower.${run}${next}`;
}
