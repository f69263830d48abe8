/**
 * The synthetic hidden states of the linear-algebra benchmark (bench/analysis.bench.ts in Node,
 * bench/page/linalg.worker.ts in Chromium, tools/bench_linalg.py through a file): a residual stream
 * with a cheap element-wise non-linear update, seeded, so every side computes on the same float32
 * values.
 */
export function syntheticStates(L: number, n: number, d: number): Float32Array {
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296 - 0.5;
  };
  const data = new Float32Array((L + 1) * n * d);
  for (let i = 0; i < n * d; i++) data[i] = 2 * rand();
  for (let l = 0; l < L; l++) {
    const src = l * n * d;
    const dst = src + n * d;
    const shift = 1 + ((l * 7) % (d - 1));
    for (let t = 0; t < n; t++) {
      for (let f = 0; f < d; f++) {
        const x = data[src + t * d + f];
        const other = data[src + t * d + ((f + shift) % d)];
        data[dst + t * d + f] = x + 0.3 * Math.tanh(1.5 * x * other + 0.5 * other) + 0.05 * rand();
      }
    }
  }
  return data;
}
