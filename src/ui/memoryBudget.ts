import type { ModelDtype } from '../model/config';
import { usableMemoryGb } from '../model/deviceMemory';
import type { PickerModel } from './ModelPicker';

/**
 * Whether a model fits in this tab, judged before anything is downloaded or loaded. A tab can count
 * on about half of the device's memory, and a model needs about twice its weights (the file as
 * downloaded, and onnxruntime's session built from it), plus room for the analysis: so weights
 * larger than a quarter of the device's memory are refused. `navigator.deviceMemory` (GB, rounded,
 * and capped at 8 by Chromium) is the only figure a page has; where it is unknown, nothing is refused
 * (a failed allocation is then reported when it happens).
 */
export const WEIGHTS_SHARE_OF_MEMORY = 0.25;

/** The most MB of weights a device with `deviceMemoryGb` GB of memory takes, or null when unknown. */
export function weightsBudgetMb(deviceMemoryGb: number | null | undefined): number | null {
  const gb = usableMemoryGb(deviceMemoryGb);
  return gb === null ? null : gb * 1024 * WEIGHTS_SHARE_OF_MEMORY;
}

function gbLabel(gb: number): string {
  return gb >= 1 ? `${gb} GB` : `${Math.round(gb * 1024)} MB`;
}

/**
 * Why `dtype` weights of `model` are too large for this device (shown beside a disabled Analyze
 * button, with the weights that would fit), or null when they fit or nothing is known.
 */
export function memoryProblem(
  model: Pick<PickerModel, 'label' | 'sizes'> | undefined,
  dtype: ModelDtype,
  deviceMemoryGb: number | null | undefined,
): string | null {
  const budget = weightsBudgetMb(deviceMemoryGb);
  const mb = model?.sizes[dtype];
  if (!model || budget === null || !mb || mb <= budget) return null;
  const fitting = (Object.entries(model.sizes) as [ModelDtype, number][])
    .filter(([, size]) => size > 0 && size <= budget)
    .sort((a, b) => b[1] - a[1]);
  const advice =
    fitting.length > 0
      ? `Choose the ${fitting[0][0]} weights (≈${fitting[0][1]} MB) or a smaller model.`
      : 'Choose a smaller model.';
  return (
    `${model.label} with ${dtype} weights (≈${mb} MB) is too large for this device: it reports ` +
    `${gbLabel(deviceMemoryGb as number)} of memory, and a model needs about twice its weights' size in the tab. ${advice}`
  );
}

/** The same judgement for a model folder's weights of `bytes` bytes: why it is refused, or null. */
export function folderMemoryProblem(
  name: string,
  bytes: number,
  deviceMemoryGb: number | null | undefined,
): string | null {
  const budget = weightsBudgetMb(deviceMemoryGb);
  const mb = Math.ceil(bytes / 1024 / 1024);
  if (budget === null || mb <= budget) return null;
  return (
    `The model in “${name}” (≈${mb} MB of fp32 weights) is too large for this device: it reports ` +
    `${gbLabel(deviceMemoryGb as number)} of memory, and a model needs about twice its weights' size in the tab. ` +
    'Use a smaller model, or analyse this one with the command line (npx linscope analyze).'
  );
}
