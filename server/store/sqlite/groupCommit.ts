import type { Database } from 'better-sqlite3';
import { perTurnBatch, type Batched, type Pending } from './perTurnBatch.js';

/** Runs a write operation as part of the next group commit; settles once that commit is durable. */
export type GroupCommit = Batched;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: the write operations requested during one turn of the event loop run together in
 * one IMMEDIATE transaction, each in its own SAVEPOINT (a better-sqlite3 transaction function
 * called inside a transaction nests as a savepoint; a single statement is atomic by itself). An
 * operation that throws rolls back only its own savepoint and rejects only its own caller; the
 * others commit. No caller hears back before the COMMIT has returned, so an answer never reports
 * a write that a crash could still lose; if BEGIN or COMMIT fails, every operation of the batch
 * is rejected and none of it is in the database.
 *
 * Why: in WAL mode every commit appends each page it dirtied to the WAL and takes and releases
 * the WAL locks; one exchange dirties ~13 pages across three tables and their indexes, and many of
 * them (table tails, time-ordered indexes) are the same pages for every exchange of a batch, so
 * batching pays the commit once per turn (docs/performance.md, "Group commit").
 *
 * Operations run in the order they were requested, so two writes from one flow keep their order.
 * Reads are not part of it (hot lookups have their own batch, readBatch.ts): a read that runs while
 * a write is queued sees the state before that write, exactly as if it had been issued first.
 */
export function createGroupCommit(db: Database): GroupCommit {
  const runAll = db.transaction((batch: readonly Pending[]): Outcome[] =>
    batch.map((pending): Outcome => {
      try {
        return { ok: true, value: pending.work() };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );

  return perTurnBatch((batch) => {
    // Inside someone else's open transaction the batch would only be savepoints, durable only if
    // that transaction commits: refuse rather than answer for writes that may never land.
    if (db.inTransaction) {
      const error = new Error('group commit found a transaction already open on its connection');
      for (const pending of batch) pending.reject(error);
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = runAll.immediate(batch);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok === true) pending.resolve(outcome.value as never);
      else pending.reject(outcome?.error ?? new Error('group commit lost an outcome'));
    });
  });
}
