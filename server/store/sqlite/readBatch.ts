import type { Database } from 'better-sqlite3';
import { perTurnBatch, type Batched } from './perTurnBatch.js';

/** Runs a read as part of the next read batch; settles with its own result or error. */
export type ReadBatch = Batched;

/**
 * The hot reads (secret-key lookup, refresh-token lookup) requested during one turn of the event
 * loop run together inside one read transaction. In WAL mode every statement outside a transaction
 * starts and ends its own read transaction, taking and dropping a WAL read lock (two `fcntl` calls)
 * each time (docs/performance.md, "Read batches"). All reads of a batch see one snapshot, taken
 * after every one of them was
 * requested, so each sees at least what it would have seen had it run at once.
 */
export function createReadBatch(db: Database): ReadBatch {
  const begin = db.prepare('BEGIN DEFERRED');
  const end = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');

  return perTurnBatch((batch) => {
    // A lone read gains nothing from a transaction around it; if BEGIN fails (the connection was
    // closed), each read runs on its own and reports its own error.
    let wrapped = false;
    if (batch.length > 1 && !db.inTransaction) {
      try {
        begin.run();
        wrapped = true;
      } catch {
        // Each read below then runs on its own.
      }
    }
    for (const pending of batch) {
      try {
        pending.resolve(pending.work() as never);
      } catch (error) {
        pending.reject(error);
      }
    }
    if (wrapped && db.inTransaction) {
      try {
        end.run();
      } catch {
        // A read-only transaction has nothing to lose, but it must not stay open: a write batch
        // would otherwise nest inside it (groupCommit.ts refuses to).
        try {
          rollback.run();
        } catch {
          // Nothing more to do here; the next statement reports the connection's fault.
        }
      }
    }
  });
}
