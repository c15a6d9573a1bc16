/**
 * A barrier around one async method of an object the app holds (e.g. `server.store`): the first
 * `arrivals` calls wait until that many have arrived, then all proceed together. Tests use it to
 * force the worst interleaving of concurrent requests — every request has done its reads before
 * any of them writes — instead of hoping the event loop produces it.
 */
export interface Gate {
  /** Calls seen so far. */
  readonly calls: number;
  /** True if the barrier opened because of the timeout rather than because every call arrived. */
  readonly timedOut: boolean;
  restore(): void;
}

type AsyncMethodKeys<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];

export function gateMethod<T extends object>(
  target: T,
  method: AsyncMethodKeys<T>,
  arrivals: number,
  timeoutMs = 5_000,
): Gate {
  const slot = target as Record<AsyncMethodKeys<T>, unknown>;
  const original = slot[method] as (...args: unknown[]) => Promise<unknown>;
  let calls = 0;
  let timedOut = false;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const timer = setTimeout(() => {
    timedOut = true;
    open();
  }, timeoutMs);

  slot[method] = async (...args: unknown[]) => {
    calls += 1;
    if (calls >= arrivals) {
      clearTimeout(timer);
      open();
    }
    if (calls <= arrivals) await opened;
    return original.apply(target, args);
  };

  return {
    get calls() {
      return calls;
    },
    get timedOut() {
      return timedOut;
    },
    restore() {
      clearTimeout(timer);
      slot[method] = original;
    },
  };
}
