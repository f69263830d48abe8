import { interpolateViridis, scaleSequential, schemeTableau10 } from 'd3';

/** Categorical colour of the compare view's entry `index` (Tableau 10, repeating past ten). */
export function entryColor(index: number): string {
  return schemeTableau10[index % schemeTableau10.length];
}

/**
 * Sequential colours for `count` ordered items (checkpoints, or layers): viridis from dark to
 * light, stopping short of its yellow end, which is unreadable as a line on a light page.
 */
export function orderColors(count: number): (index: number) => string {
  const scale = scaleSequential(interpolateViridis).domain([0, Math.max(1, count - 1) / 0.85]);
  return (index) => scale(index);
}
