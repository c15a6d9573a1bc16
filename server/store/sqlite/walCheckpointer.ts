import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/**
 * The worker's whole program, as CommonJS source: it runs the same way whether this module was
 * loaded from TypeScript (tests, tsx) or from dist/, with no loader and no file to locate.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
// The checkpoint syncs by the checkpointing connection's own setting: the same as the writer's.
db.pragma('synchronous = NORMAL');
db.pragma('cache_size = -256');
let timer;
let stopped = false;
const pass = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
  if (!stopped) timer = setTimeout(pass, workerData.intervalMs);
};
timer = setTimeout(pass, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  stopped = true;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * How often the worker checkpoints. Each pass copies the newest version of every page committed
 * since the last one and fsyncs both files; a hot page (a table's or a time-ordered index's tail)
 * is rewritten by every commit, so a longer interval copies it once instead of many times
 * (docs/performance.md, "WAL checkpoints in a worker"). The WAL grows by what the writer commits
 * in one interval before a pass lets it restart.
 */
const CHECKPOINT_INTERVAL_MS = 250;

/**
 * Copies committed WAL frames back into the database file from a worker thread, so the writer
 * (this process's only connection, on the event loop) rarely does it itself.
 *
 * Why: with `synchronous = NORMAL` a commit only appends to the WAL, but every 1,000 WAL pages
 * SQLite's automatic checkpoint runs inside the commit that crossed the line: it copies those pages
 * into the database file and fsyncs both files on the event loop, a stall that lands on every
 * so-many-th exchange. A PASSIVE checkpoint never blocks a reader or the writer, so the worker can
 * run one every `intervalMs`; the writer's own automatic checkpoint stays on and then finds almost
 * everything copied and synced already — it remains the one that lets the WAL restart (only a
 * checkpoint that catches up with the last commit can), and the safety net if the worker fails.
 * Durability is unchanged: the same checkpoints, the same fsyncs, on another thread.
 */
export function startWalCheckpointer(options: {
  filename: string;
  intervalMs?: number;
  onError?: ((message: string) => void) | undefined;
}): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // The worker allocates almost nothing; V8's default heap reservations would be most of its RSS.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    workerData: {
      filename: options.filename,
      intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
    },
  });
  // The writer's automatic checkpoint keeps the WAL bounded without the worker; it must never
  // keep the process alive or take it down.
  worker.unref();
  worker.on('message', (message: { error?: string }) => {
    if (message.error !== undefined) options.onError?.(message.error);
  });
  worker.on('error', (error) => options.onError?.(error.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Held until it has exited: else, with nothing else pending, the process ends first and
      // the caller's `await stop()` never resumes.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
