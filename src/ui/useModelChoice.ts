/**
 * Which model the page analyses, and everything that decides it: the picker's list (catalog,
 * unlisted ids from a URL or a shared link, folders and llama2.c checkpoints opened from disk), the
 * dtype, and the user's consent to Hub downloads. App.tsx asks it for a `ModelRequest` and whether a
 * run may start; the confirmation dialog is driven by `pendingDownload`.
 */
import { useCallback, useEffect, useState } from 'react';
import { LinScopeError } from '../errors';
import { ASK_BEFORE_MB, CATALOG, DEFAULT_MODEL_ID, isHubId, unlistedModel } from '../model/catalog';
import type { ModelDtype } from '../model/config';
import { reportedDeviceMemoryGb } from '../model/deviceMemory';
import type { WorkerClient } from '../worker/client';
import type { ModelRequest } from '../worker/protocol';
import type { PickerModel } from './ModelPicker';
import { folderMemoryProblem } from './memoryBudget';

/** A Hub download waiting for the user's yes (size in MB, null when unknown). */
export interface PendingDownload {
  readonly id: string;
  readonly mb: number | null;
  /** What the user asked for that needs the download: it goes ahead once they allow it. */
  readonly onAllowed: (() => void) | null;
}

export interface ModelChoice {
  readonly models: PickerModel[];
  readonly modelId: string;
  readonly dtype: ModelDtype;
  /** The chosen model's entry (undefined while an unlisted id is being classified). */
  readonly model: PickerModel | undefined;
  /** False while a URL's unlisted model is being classified (served here, or Hub): ?run=1 waits. */
  readonly startModelKnown: boolean;
  readonly pendingDownload: PendingDownload | null;
  select(id: string): void;
  setDtype(dtype: ModelDtype): void;
  /** A Hub id typed into the picker: listed as unlisted (asks before downloading), then chosen. */
  selectTypedId(id: string): void;
  /** The model and dtype of a shared link; an unlisted id is classified first. */
  applyShared(id: string, dtype: ModelDtype): void;
  /** What the worker is sent for model `id`. */
  request(id: string): ModelRequest;
  /** Whether `id` may be fetched now: listed models always, Hub ones once the user allowed it. */
  downloadAllowed(id: string): boolean;
  /**
   * Called before a run: true when it may go ahead (a small Hub download is allowed on the spot),
   * false when the user is asked first (`pendingDownload` is set); `onAllowed` runs once they allow it.
   */
  consentToRun(id: string, onAllowed?: () => void): boolean;
  /**
   * Says that model `id` with weights `dtype` loaded from the browser's own files (loaded ahead):
   * running it downloads nothing, so it is not asked about.
   */
  markOnDevice(id: string, dtype: ModelDtype): void;
  confirmDownload(): void;
  dismissDownload(): void;
  /** Opens a model folder picked from disk in the worker and chooses it; throws with a message. */
  openFolder(files: File[]): Promise<void>;
  /** Converts a llama2.c checkpoint + tokenizer in the worker and chooses it; throws with a message. */
  openLlama2c(files: File[]): Promise<void>;
}

/** A model with one kind of weights, as `markOnDevice` remembers it. */
const onDeviceKey = (id: string, dtype: ModelDtype) => `${id}|${dtype}`;

export function useModelChoice(client: WorkerClient | null, startModel: string | null): ModelChoice {
  const [models, setModels] = useState<PickerModel[]>(() => [...CATALOG]);
  const [modelId, setModelId] = useState(startModel ?? DEFAULT_MODEL_ID);
  const [dtype, setDtype] = useState<ModelDtype>(
    () => recommendedDtype(CATALOG.find((m) => m.id === (startModel ?? DEFAULT_MODEL_ID))) ?? 'fp32',
  );
  const [confirmed, setConfirmed] = useState<Set<string>>(() => new Set());
  /** Hub models whose files the browser has (`markOnDevice`), by `onDeviceKey`. */
  const [onDevice, setOnDevice] = useState<Set<string>>(() => new Set());
  const [pendingDownload, setPendingDownload] = useState<PendingDownload | null>(null);
  const [startModelKnown, setStartModelKnown] = useState(
    () => !startModel || CATALOG.some((m) => m.id === startModel) || !isHubId(startModel),
  );
  // The unlisted model to classify: the URL's, or one a shared link names.
  const [probeModel, setProbeModel] = useState(startModel);
  const model = models.find((m) => m.id === modelId);

  // A model named in the URL that LinScope does not list: one served beside the app (under
  // models/) is used as it is; any other Hub id is asked about before anything is downloaded.
  useEffect(() => {
    const id = probeModel;
    if (!id || CATALOG.some((m) => m.id === id) || !isHubId(id)) return;
    let live = true;
    fetch(new URL(`models/${id}/config.json`, document.baseURI), { method: 'HEAD' })
      .then((r) => r.ok && (r.headers.get('content-type') ?? '').includes('json'))
      .catch(() => false)
      .then((served) => {
        if (!live) return;
        const entry = unlistedModel(id, served);
        setModels((list) => [...list.filter((m) => m.id !== id), entry]);
        setStartModelKnown(true);
      });
    return () => {
      live = false;
    };
  }, [probeModel]);

  // Keep the dtype one the model offers.
  useEffect(() => {
    if (model && Object.keys(model.sizes).length > 0 && !(dtype in model.sizes))
      setDtype(Object.keys(model.sizes)[0] as ModelDtype);
  }, [model, dtype]);

  const request = useCallback(
    (id: string): ModelRequest => {
      const entry = models.find((m) => m.id === id);
      return { spec: { id, dtype }, allowHub: entry?.source === 'hub' && confirmed.has(id) };
    },
    [models, dtype, confirmed],
  );

  const downloadAllowed = useCallback(
    (id: string) =>
      models.find((m) => m.id === id)?.source !== 'hub' ||
      confirmed.has(id) ||
      onDevice.has(onDeviceKey(id, dtype)),
    [models, confirmed, onDevice, dtype],
  );

  const consentToRun = useCallback(
    (id: string, onAllowed?: () => void) => {
      const entry = models.find((m) => m.id === id);
      if (!entry || downloadAllowed(id)) return true;
      const mb = entry.sizes[dtype] ?? null;
      if (mb === null || mb > ASK_BEFORE_MB) {
        setPendingDownload({ id, mb, onAllowed: onAllowed ?? null });
        return false;
      }
      setConfirmed((s) => new Set(s).add(id));
      return true;
    },
    [models, downloadAllowed, dtype],
  );

  const markOnDevice = useCallback((id: string, onDeviceDtype: ModelDtype) => {
    const key = onDeviceKey(id, onDeviceDtype);
    setOnDevice((s) => (s.has(key) ? s : new Set(s).add(key)));
  }, []);

  const applyShared = useCallback((id: string, sharedDtype: ModelDtype) => {
    // Listed, or opened from disk in this tab: nothing to classify. Otherwise served here, or Hub (asks first).
    if (!CATALOG.some((m) => m.id === id) && !id.startsWith('local/')) setProbeModel(id);
    setModelId(id);
    setDtype(sharedDtype);
  }, []);

  const addLocalModel = (id: string, label: string) => {
    setModels((list) => [
      ...list.filter((m) => m.id !== id),
      {
        id,
        label,
        source: 'local',
        sizes: { fp32: 0 },
        layers: 0,
        hidden: 0,
        notes: 'Opened from your disk; stays in this tab.',
      },
    ]);
    setModelId(id);
    setDtype('fp32');
  };

  return {
    models,
    modelId,
    dtype,
    model,
    startModelKnown,
    pendingDownload,
    // A model chosen from the list comes with its recommended weights (q8 for the Hub's: a quarter
    // of the download); the user may pick others after.
    select: (id) => {
      setModelId(id);
      const proposed = recommendedDtype(models.find((m) => m.id === id));
      if (proposed) setDtype(proposed);
    },
    setDtype,
    selectTypedId: (id) => {
      setModels((list) => (list.some((m) => m.id === id) ? list : [...list, unlistedModel(id, false)]));
      setModelId(id);
    },
    applyShared,
    request,
    downloadAllowed,
    consentToRun,
    markOnDevice,
    confirmDownload: () => {
      if (!pendingDownload) return;
      const { id, onAllowed } = pendingDownload;
      setConfirmed((s) => new Set(s).add(id));
      setPendingDownload(null);
      onAllowed?.();
    },
    dismissDownload: () => setPendingDownload(null),
    openFolder: async (files) => {
      if (!client || files.length === 0) return;
      const root = files[0].webkitRelativePath.split('/')[0] || 'model';
      // The fp32 weights (onnx/model.onnx and its external data) must fit before anything is read.
      const weights = files
        .filter((f) => /(^|\/)onnx\/model\.onnx(_data(_\d+)?)?$/.test(f.webkitRelativePath))
        .reduce((sum, f) => sum + f.size, 0);
      const tooLarge = folderMemoryProblem(root, weights, reportedDeviceMemoryGb());
      if (tooLarge) throw new LinScopeError('BAD_INPUT', tooLarge);
      const id = await client.openFolder(
        root,
        files.map((f) => ({ path: f.webkitRelativePath.split('/').slice(1).join('/') || f.name, file: f })),
      );
      addLocalModel(id, `${root} (your folder)`);
    },
    openLlama2c: async (files) => {
      if (!client) return;
      const tokenizer = files.find((f) => /tok/i.test(f.name));
      const checkpoint = files.find((f) => f !== tokenizer);
      if (files.length !== 2 || !tokenizer || !checkpoint) {
        throw new LinScopeError(
          'BAD_INPUT',
          'Pick two files: the llama2.c checkpoint (.bin) and its tokenizer (a .bin whose name contains “tok”, e.g. tok512.bin).',
        );
      }
      const name = checkpoint.name.replace(/\.bin$/, '');
      const id = await client.openLlama2c(name, checkpoint, tokenizer);
      addLocalModel(id, `${name} (llama2.c, converted here)`);
    },
  };
}

/** The weights a listed model is offered with first (its `sizes`' first key), if it lists any. */
export function recommendedDtype(model: Pick<PickerModel, 'sizes'> | undefined): ModelDtype | null {
  const first = model ? Object.keys(model.sizes)[0] : undefined;
  return first === undefined ? null : (first as ModelDtype);
}
