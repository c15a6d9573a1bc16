import type { Response } from 'express';

const STARTED_AT = Symbol('startedAt');
type Timed = Response & { [STARTED_AT]?: number };

/**
 * Stamps the request's start once, at the edge. The request line and the metrics both read this
 * one stamp: each property added to a response costs a shape change on every request.
 */
export function markRequestStart(res: Response): void {
  (res as Timed)[STARTED_AT] = performance.now();
}

/** Milliseconds since the edge stamped the request; undefined if it never reached the edge. */
export function elapsedMs(res: Response): number | undefined {
  const startedAt = (res as Timed)[STARTED_AT];
  return startedAt === undefined ? undefined : performance.now() - startedAt;
}
