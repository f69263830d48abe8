import { describe, expect, it } from 'vitest';
import { type DeviceLoss, DeviceLossWatch, type DeviceLostInfo, deviceLossFromMessage } from './deviceLoss';

/** A device whose `lost` promise the test settles, as `GPUDevice.destroy()` or a driver reset does. */
function fakeDevice() {
  let lose: (info: DeviceLostInfo) => void = () => undefined;
  const lost = new Promise<DeviceLostInfo>((resolve) => {
    lose = resolve;
  });
  return { lost, lose };
}

/** Lets the `lost.then` handlers run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** onnxruntime-web 1.31's error when a run reads back from a device destroyed under it (Chromium). */
const ORT_RUN_ERROR =
  "failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/providers/webgpu/buffer_manager.cc:643 void onnxruntime::webgpu::BufferManager::Download(WGPUBuffer, void *, size_t) const map_async_result.status == wgpu::MapAsyncStatus::Success was false. Failed to download data from buffer. wgpu::MapAsyncStatus value: 4, message: Failed to execute 'mapAsync' on 'GPUBuffer': The Device was lost before mapping was resolved.";

describe('deviceLossFromMessage', () => {
  it("finds the sentence of onnxruntime's read-back failure on a lost device", () => {
    expect(deviceLossFromMessage(ORT_RUN_ERROR)).toEqual({
      reason: 'run-failed',
      message: 'The Device was lost before mapping was resolved',
    });
  });

  it('reads other wordings of a lost device', () => {
    expect(deviceLossFromMessage('[Device "onnxruntime"] is lost.')?.message).toBe(
      '[Device "onnxruntime"] is lost',
    );
    expect(deviceLossFromMessage('GPUDevice lost: the GPU process crashed')?.message).toBe(
      'GPUDevice lost: the GPU process crashed',
    );
  });

  it('is null for failures that are not a lost device', () => {
    for (const message of [
      'This tab ran out of memory for the model or the text.',
      "Failed to execute 'mapAsync' on 'GPUBuffer': Buffer is destroyed.",
      'Model "x": the device list was read. The weights were lost in transit.',
    ])
      expect(deviceLossFromMessage(message), message).toBeNull();
    expect(deviceLossFromMessage('Cancelled.')).toBeNull();
    expect(deviceLossFromMessage('')).toBeNull();
  });
});

describe('DeviceLossWatch', () => {
  it('reports a device lost while sessions live on it, once, in the browser’s words', async () => {
    const losses: DeviceLoss[] = [];
    const watch = new DeviceLossWatch((loss) => losses.push(loss));
    const device = fakeDevice();
    watch.track(device);
    watch.track(device);
    expect(watch.liveSessions(device)).toBe(2);
    device.lose({ reason: 'destroyed', message: 'Device was destroyed.' });
    await settle();
    expect(losses).toEqual([{ reason: 'destroyed', message: 'Device was destroyed' }]);
  });

  it('ignores the device onnxruntime destroys after its last session is released (the probe)', async () => {
    const losses: DeviceLoss[] = [];
    const watch = new DeviceLossWatch((loss) => losses.push(loss));
    const probeDevice = fakeDevice();
    const release = watch.track(probeDevice);
    release();
    release(); // a second release does not count twice
    expect(watch.liveSessions(probeDevice)).toBe(0);
    probeDevice.lose({ reason: 'destroyed', message: 'Device was destroyed.' });
    await settle();
    expect(losses).toEqual([]);

    // The model's sessions then live on a new device; losing that one counts.
    const modelDevice = fakeDevice();
    watch.track(modelDevice);
    modelDevice.lose({ reason: 'unknown', message: '' });
    await settle();
    expect(losses).toEqual([{ reason: 'unknown', message: 'no reason given' }]);
  });

  it('reports only the first loss', async () => {
    const losses: DeviceLoss[] = [];
    const watch = new DeviceLossWatch((loss) => losses.push(loss));
    const a = fakeDevice();
    const b = fakeDevice();
    watch.track(a);
    watch.track(b);
    a.lose({ reason: 'unknown', message: 'GPU reset.' });
    b.lose({ reason: 'unknown', message: 'GPU reset again.' });
    await settle();
    expect(losses.map((l) => l.message)).toEqual(['GPU reset']);
  });

  it('reads a failed run as a device loss only once WebGPU was used in this realm', () => {
    const watch = new DeviceLossWatch(() => undefined);
    expect(watch.runFailed(ORT_RUN_ERROR)).toBeNull();
    watch.track(fakeDevice());
    expect(watch.runFailed(ORT_RUN_ERROR)?.reason).toBe('run-failed');
    expect(watch.runFailed('Model "x" could not be found')).toBeNull();
  });
});
