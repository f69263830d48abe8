/**
 * Two models loaded at once in one runtime (a worker loading one model ahead while the user picks
 * another; a fresh worker sent both again): what each load asks of its sessions (the layer count its
 * config.json gives, the logit lens, the block-replacement session) goes with that load. When they
 * were fields of the runtime, set before each load, the later load's settings reached the earlier
 * load's session: stories260K (5 layers) was read with 4, and the graph "had" a final norm made of
 * block 4 (CI's page diary: "the last block's output is read by 3 nodes in 2 scopes").
 */
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HiddenStateModel } from '../../src/model/hiddenStateModel';
import { nodeRuntime, readModelsFromFolder } from '../../src/model/nodeRuntime';
import { convertStories260K, PUBLIC_MODELS, STORIES_ID } from '../support/models';

const DEFAULT_ID = 'linscope/tiny-gpt2';

describe('models loaded at the same time in one runtime', () => {
  let models: Awaited<ReturnType<typeof convertStories260K>>;

  beforeAll(async () => {
    // Both models under one folder: the converted stories260K and (linked) the default model.
    models = await convertStories260K();
    await symlink(join(PUBLIC_MODELS, 'linscope'), join(models.root, 'linscope'), 'dir');
    readModelsFromFolder(await nodeRuntime(), models.root);
  });

  afterAll(async () => {
    await models?.cleanup();
  });

  it('each gets the plan of its own graph and the extra sessions it asked for', async () => {
    const rt = await nodeRuntime();
    const [stories, tiny] = await Promise.all([
      HiddenStateModel.load(rt, { id: STORIES_ID, dtype: 'fp32', device: 'cpu', logitLens: false }),
      HiddenStateModel.load(rt, { id: DEFAULT_ID, dtype: 'fp32', device: 'cpu', blockReplacement: true }),
    ]);
    try {
      expect(stories.augmentation.plan.layers).toBe(5);
      expect(stories.augmentation.plan.lastBlockOutput).toBe('/model/layers.4/Add_1_output_0');
      expect(stories.augmentation.lens).toBeNull();
      expect(stories.augmentation.replacement).toBeNull();
      expect(tiny.augmentation.plan.layers).toBe(4);
      expect(tiny.augmentation.lens).not.toBeNull();
      expect(tiny.augmentation.replacement).not.toBeNull();
      // Both run, each with its own number of states.
      const [a, b] = await Promise.all([stories.forward([1, 403, 407]), tiny.forward([464, 3290, 318])]);
      expect(a.layers).toBe(5);
      expect(b.layers).toBe(4);
    } finally {
      await Promise.all([stories.dispose(), tiny.dispose()]);
    }
  });
});
