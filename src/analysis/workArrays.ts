/**
 * Float64 working arrays that one computation reuses instead of allocating afresh.
 *
 * A new typed array costs more than its size in writes: the operating system maps its pages on
 * first touch, and the old ones wait for the collector. On the development machine (a virtual
 * machine) a fresh page costs ~11 µs, so one 4,096 x 768 working copy takes 70 ms to come into
 * existence and 5 ms to fill (docs/performance.md, "Working arrays reused"). A loop over layer
 * pairs makes the same arrays pair after pair (centred states, Gram products, factors, residual
 * inputs): handing each back once it is dead lets the next pair have it, zeroed.
 *
 * The arrays belong to the computation that made the pool (`reusedArrays()`, one per
 * `analyzeLayers` or `fitReferenceMaps` call) and are dropped with it; nothing is kept between
 * calls. Functions that take a `WorkArrays` default to `freshArrays`, plain allocation.
 */
export interface WorkArrays {
  /** A zero-filled array of `length`. */
  zeros(length: number): Float64Array;
  /** An array holding a copy of `source`. */
  copyOf(source: Float64Array): Float64Array;
  /**
   * Hands `arrays` back (nulls are skipped): whoever gives one must hold no other reference to it
   * that is still read or written, since the next `zeros` or `copyOf` of its length returns it.
   */
  give(...arrays: readonly (Float64Array | null)[]): void;
}

/** Plain allocation: every array is new, and giving one back does nothing. */
export const freshArrays: WorkArrays = {
  zeros: (length) => new Float64Array(length),
  copyOf: (source) => new Float64Array(source),
  give: () => {},
};

/** A pool of arrays given back, by length, for one computation. */
export function reusedArrays(): WorkArrays {
  const free = new Map<number, Float64Array[]>();
  // Every array in `free`, so that one given back twice (a bug that would hand it out twice) throws.
  const pooled = new Set<Float64Array>();
  const take = (length: number): Float64Array | undefined => {
    const array = free.get(length)?.pop();
    if (array !== undefined) pooled.delete(array);
    return array;
  };
  return {
    zeros(length) {
      const array = take(length);
      if (array === undefined) return new Float64Array(length);
      array.fill(0);
      return array;
    },
    copyOf(source) {
      const array = take(source.length);
      if (array === undefined) return new Float64Array(source);
      array.set(source);
      return array;
    },
    give(...arrays) {
      for (const array of arrays) {
        if (array === null) continue;
        // A view into a larger buffer is not the caller's to give: its buffer holds other data.
        if (array.byteOffset !== 0 || array.byteLength !== array.buffer.byteLength) continue;
        if (pooled.has(array)) throw new Error('reusedArrays: an array was given back twice');
        pooled.add(array);
        const list = free.get(array.length);
        if (list === undefined) free.set(array.length, [array]);
        else list.push(array);
      }
    },
  };
}
