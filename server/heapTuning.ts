import { setFlagsFromString } from 'node:v8';

/**
 * Old-generation growth, in percent. The live heap is small and requests allocate a lot, so V8's
 * default growth lets RSS climb far above the live heap; the extra full GCs of a small heap cost
 * less than they save (docs/performance.md, "Old-generation growth").
 * V8 reads this flag each time it recomputes heap limits, so setting it at start-up takes effect.
 */
export const HEAP_GROWING_PERCENT = 20;

export function tuneHeap(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
