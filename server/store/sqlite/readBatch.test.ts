import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReadBatch, type ReadBatch } from './readBatch.js';

describe('read batch', () => {
  let db: Database.Database;
  let read: ReadBatch;

  beforeEach(() => {
    db = new Database(':memory:');
    db.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('a')");
    read = createReadBatch(db);
  });
  afterEach(() => db.close());

  const count = () => db.prepare('SELECT count(*) FROM t').pluck().get();

  it('runs the reads requested in one turn inside one transaction, each with its own result', async () => {
    const inside: boolean[] = [];
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        read(() => {
          inside.push(db.inTransaction);
          return n * 10;
        }),
      ),
    );
    expect(results).toEqual([10, 20, 30]);
    expect(inside).toEqual([true, true, true]);
    expect(db.inTransaction).toBe(false);
  });

  it('runs a lone read without a transaction around it', async () => {
    await expect(read(() => db.inTransaction)).resolves.toBe(false);
  });

  it('rejects only the read that failed', async () => {
    const results = await Promise.allSettled([read(count), read(() => db.prepare('SELECT * FROM missing').all()), read(count)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.inTransaction).toBe(false);
  });

  it('sees what was committed before the batch ran, even if committed after the read was requested', async () => {
    const pending = read(count);
    db.exec("INSERT INTO t VALUES ('b')");
    await expect(pending).resolves.toBe(2);
  });

  it('rejects every read of a batch, without throwing, when the connection is already closed', async () => {
    const reads = [read(count), read(count)];
    db.close();
    const results = await Promise.allSettled(reads);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    db = new Database(':memory:');
  });
});
