import { setFlagsFromString } from 'node:v8';

/**
 * Old-generation growth, in percent. The live heap is small and requests allocate a lot, so V8's
 * default growth lets RSS climb far above the live heap; the extra full GCs of a small heap cost
 * less than they save (docs/performance.md, "Old-generation growth").
 * V8 reads this flag each time it recomputes heap limits, so setting it at start-up takes effect.
 */
export const HEAP_GROWING_PERCENT = 20;

/**
 * The young generation's size is read only when the heap is created, so `npm start` passes
 * `--max-semi-space-size=16` to node (package.json) instead: Node 20's default, which Node 24's V8
 * raises with the machine's memory (64 MB semi-spaces on 24 GiB, an RSS of 256 instead of 163 MB
 * for the same load; docs/performance.md, "The young generation on Node 24").
 */
export function tuneHeap(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
