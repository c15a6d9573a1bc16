/** Tells listeners that an admin change was committed, by any connection to the database. */
export interface AdminChangeFeed {
  subscribe(listener: () => void): () => void;
  /** Stops polling and drops every listener. */
  stop(): void;
}

/**
 * Polls the admin-change version every `pollMs` while anyone listens, and calls every listener
 * when it moved. SQLite has no notifications across processes, and a point read of one row every
 * few hundred milliseconds costs next to nothing; it also sees this connection's own changes.
 * The timer never keeps the process alive. A listener that throws does not keep the others from
 * being called; its error is rethrown once they all were.
 */
export function createAdminChangeFeed(options: {
  /** The current version; throws if the database cannot be read (that poll is then skipped). */
  readVersion: () => number;
  pollMs: number;
}): AdminChangeFeed {
  // One entry per subscription, so the same function subscribed twice is called twice.
  const listeners = new Set<{ listener: () => void }>();
  let seen = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const poll = () => {
    let version: number;
    try {
      version = options.readVersion();
    } catch {
      // The next poll tries again; a failing database shows in every other store call.
      return;
    }
    if (version === seen) return;
    seen = version;
    const errors: unknown[] = [];
    for (const { listener } of [...listeners]) {
      try {
        listener();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  };

  const stopPolling = () => {
    clearInterval(timer);
    timer = undefined;
  };

  return {
    subscribe(listener) {
      if (stopped) throw new Error('the store is closed');
      if (timer === undefined) {
        seen = options.readVersion();
        timer = setInterval(poll, options.pollMs);
        timer.unref();
      }
      const entry = { listener };
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
        if (listeners.size === 0) stopPolling();
      };
    },
    stop() {
      stopped = true;
      listeners.clear();
      stopPolling();
    },
  };
}
