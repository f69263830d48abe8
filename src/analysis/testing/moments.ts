// Test-only: how far two sets of layer moments are apart.
import type { LayerMoments } from '../layerMoments';

/** Largest |a - b| / max(1, |b|) over every mean, co-moment and cross-moment of two moment sets. */
export function momentsRelativeDiff(a: LayerMoments, b: LayerMoments): number {
  const arrays = (m: LayerMoments) => [...m.states.flatMap((s) => [s.mean, s.gram]), ...m.cross];
  const bs = arrays(b);
  let worst = 0;
  arrays(a).forEach((x, i) => {
    for (let k = 0; k < x.length; k++)
      worst = Math.max(worst, Math.abs(x[k] - bs[i][k]) / Math.max(1, Math.abs(bs[i][k])));
  });
  return worst;
}
