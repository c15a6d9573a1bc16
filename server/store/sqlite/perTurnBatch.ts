/** One piece of synchronous work waiting for its batch, and how to answer its caller. */
export interface Pending {
  work: () => unknown;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

/** Runs `work` in the next batch; settles with what `flush` gives this piece. */
export type Batched = <T>(work: () => T) => Promise<T>;

/**
 * Collects the work requested during one turn of the event loop and hands it to `flush` as one
 * batch, from `setImmediate`: after the poll phase, so every request whose body or token check
 * finished in this turn has queued its part by then. `flush` runs outside any caller's stack, so
 * it must settle every piece and never throw.
 */
export function perTurnBatch(flush: (batch: Pending[]) => void): Batched {
  let queue: Pending[] = [];
  let scheduled = false;
  const run = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    flush(batch);
  };
  return <T>(work: () => T) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(run);
      }
    });
}
