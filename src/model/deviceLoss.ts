/**
 * When onnxruntime-web's WebGPU device is lost (a driver reset, a GPU removed, `device.destroy()`),
 * every later run on it fails with onnxruntime's words ("Failed to download data from buffer …").
 * This module decides which losses are the user's problem, so the page can move the work to WASM.
 *
 * onnxruntime destroys its default device itself when the last session on it is released (the
 * backend probe releases its session at once, so the device the probe used is always "lost" with
 * reason `destroyed`). A loss therefore counts only while LinScope holds sessions on that device;
 * a run that fails with a device-loss message counts too (the device may be lost before its `lost`
 * promise settles).
 */

/** What a `GPUDevice` says when it is lost (`GPUDeviceLostInfo`). */
export interface DeviceLostInfo {
  /** `destroyed` (someone called `destroy()`) or `unknown` (the browser or driver lost it). */
  reason: string;
  message: string;
}

/** The part of a `GPUDevice` the watch needs. */
export interface LosableDevice {
  readonly lost: Promise<DeviceLostInfo>;
}

/** A device loss the page must act on: why, in the browser's words. */
export interface DeviceLoss {
  /** `destroyed`, `unknown` (from `GPUDeviceLostInfo.reason`) or `run-failed` (a run said so). */
  reason: string;
  /** What the browser or onnxruntime said, one sentence without its final period. */
  message: string;
}

/**
 * How WebGPU and onnxruntime say that the device is gone, within one sentence: Chromium's "The
 * Device was lost before mapping was resolved" (a run's read-back), "Device is lost", Dawn's
 * "[Device "…"] is lost", "GPUDevice lost". Matched per sentence, so a stack or a file path
 * around it does not matter.
 */
const DEVICE_LOST_SENTENCE = /[^.:\n]*device\b[^.:\n]*\blost\b[^.\n]*/i;

/**
 * The device loss a run's error message reports, or null when the message is about something else
 * (a bad model, memory, a cancel).
 */
export function deviceLossFromMessage(message: string): DeviceLoss | null {
  const sentence = DEVICE_LOST_SENTENCE.exec(message)?.[0].trim();
  return sentence ? { reason: 'run-failed', message: sentence.replace(/\.$/, '') } : null;
}

/**
 * Counts LinScope's live sessions per WebGPU device and reports the first loss of a device that
 * still had sessions (once: the page then replaces the worker).
 */
export class DeviceLossWatch {
  private readonly sessions = new Map<LosableDevice, number>();
  private reported = false;
  /** Whether any session ran on WebGPU in this realm (then run errors may be device losses). */
  private usedWebGpu = false;

  constructor(private readonly onLoss: (loss: DeviceLoss) => void) {}

  /**
   * A session was created on `device`; call the returned function when it is released (before
   * onnxruntime releases it: releasing the last session destroys the device).
   */
  track(device: LosableDevice): () => void {
    this.usedWebGpu = true;
    if (!this.sessions.has(device)) {
      this.sessions.set(device, 0);
      void device.lost.then((info) => this.lost(device, info));
    }
    this.sessions.set(device, (this.sessions.get(device) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.sessions.set(device, Math.max(0, (this.sessions.get(device) ?? 1) - 1));
    };
  }

  /** Live sessions on `device` (for tests and diagnostics). */
  liveSessions(device: LosableDevice): number {
    return this.sessions.get(device) ?? 0;
  }

  /**
   * The device loss behind a failed run (the caller reports it instead of the error), or null when
   * the failure is something else or nothing ran on WebGPU here.
   */
  runFailed(message: string): DeviceLoss | null {
    return this.usedWebGpu ? deviceLossFromMessage(message) : null;
  }

  private lost(device: LosableDevice, info: DeviceLostInfo): void {
    // onnxruntime released its last session and destroyed the device itself: nothing was lost.
    if ((this.sessions.get(device) ?? 0) === 0 || this.reported) return;
    this.reported = true;
    const message = (info.message || 'no reason given').trim().replace(/\.$/, '');
    this.onLoss({ reason: info.reason || 'unknown', message });
  }
}
