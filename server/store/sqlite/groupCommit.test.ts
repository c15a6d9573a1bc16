import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupCommit, type GroupCommit } from './groupCommit.js';

describe('group commit', () => {
  let dir: string;
  let db: Database.Database;
  let other: Database.Database;
  let commit: GroupCommit;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    const file = join(dir, 'db.sqlite');
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
    other = new Database(file);
    commit = createGroupCommit(db);
  });

  afterEach(() => {
    other.close();
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).changes;
  const rows = () => other.prepare('SELECT v FROM t ORDER BY id').pluck().all();
  const walFrames = () => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]?.log ?? 0;

  it('runs the writes requested in one turn in one transaction, in the order requested', async () => {
    const seen: boolean[] = [];
    const op = (v: string) => () => {
      seen.push(db.inTransaction);
      return insert(v)();
    };
    await expect(Promise.all([commit(op('a')), commit(op('b')), commit(op('c'))])).resolves.toEqual([1, 1, 1]);
    expect(seen).toEqual([true, true, true]);
    expect(rows()).toEqual(['a', 'b', 'c']);
  });

  it('writes fewer WAL frames for a batch than for the same writes committed one by one', async () => {
    db.pragma('wal_autocheckpoint = 0');
    const before = walFrames();
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((v) => commit(insert(v))));
    const batched = walFrames() - before;
    const start = walFrames();
    for (const v of ['g', 'h', 'i', 'j', 'k', 'l']) await commit(insert(v));
    const oneByOne = walFrames() - start;
    expect(batched).toBeLessThan(oneByOne);
  });

  it('rejects only the operation that failed, undoing its own writes, and commits the others', async () => {
    const failing = db.transaction(() => {
      insert('half-done')();
      insert('a')(); // UNIQUE violation with the first operation's row
    });
    const results = await Promise.allSettled([commit(insert('a')), commit(() => failing()), commit(insert('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(rows()).toEqual(['a', 'b']);
  });

  it('answers only once the commit is visible to another connection', async () => {
    const visible = await commit(insert('a')).then(() => rows());
    expect(visible).toEqual(['a']);
  });

  it('rejects the whole batch and writes nothing when the transaction cannot start', async () => {
    db.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const results = await Promise.allSettled([commit(insert('a')), commit(insert('b'))]);
    other.exec('ROLLBACK');
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(rows()).toEqual([]);
  });

  it('puts a write requested while answering a batch into the next batch', async () => {
    const second = await commit(insert('a')).then(() => commit(() => db.inTransaction && insert('b')()));
    expect(second).toBe(1);
    expect(rows()).toEqual(['a', 'b']);
  });

  it('refuses to run inside a transaction someone left open, instead of reporting writes that may never commit', async () => {
    db.exec('BEGIN');
    const result = await commit(insert('a')).then(
      () => 'fulfilled',
      (error: unknown) => (error as Error).message,
    );
    db.exec('ROLLBACK');
    expect(result).toBe('group commit found a transaction already open on its connection');
    expect(rows()).toEqual([]);
  });
});
