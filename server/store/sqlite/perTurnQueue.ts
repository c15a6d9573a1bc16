/**
 * Collects what is pushed during one turn of the event loop and hands it to `flush` as one batch,
 * from `setImmediate`: after the poll phase, so every request whose body or token check finished
 * in this turn has pushed its part by then.
 */
export function perTurnQueue<T>(flush: (batch: T[]) => void): (item: T) => void {
  let queue: T[] = [];
  let scheduled = false;
  const run = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    flush(batch);
  };
  return (item) => {
    queue.push(item);
    if (!scheduled) {
      scheduled = true;
      setImmediate(run);
    }
  };
}
