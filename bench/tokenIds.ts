/**
 * The token ids both hidden-state overhead benchmarks feed (onnxruntime-node in
 * bench/overhead.node.ts, onnxruntime-web in bench/page/overhead.worker.ts): T seeded ids below
 * `vocab`, the same on every run and in both, so their passes are comparable.
 */
export function benchTokenIds(T: number, vocab: number): number[] {
  let seed = 7;
  return Array.from({ length: T }, () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % vocab;
  });
}
