import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { describeStoreConformance } from '../store.conformance.js';
import { inspectSqliteFile, useTempSqliteFiles } from '../test-support/sqliteFiles.js';
import { anAccount } from '../test-support/storeFixtures.js';
import { openSqliteStore } from './openSqliteStore.js';

const freshFile = useTempSqliteFiles();

const adminChangePollMs = 20;

describeStoreConformance('SQLite file with background WAL checkpoints', {
  open: async () => {
    const url = `file:${freshFile()}`;
    return {
      store: await openSqliteStore({ url, checkpointInBackground: true, adminChangePollMs }),
      openAnother: () => openSqliteStore({ url, checkpointInBackground: true, adminChangePollMs }),
    };
  },
  adminChangePollMs,
});

describe('background WAL checkpoints', () => {
  it('copy committed pages into the database file long before SQLite would checkpoint on its own', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ url: `file:${file}`, checkpointInBackground: true });
    try {
      const before = statSync(file).size;
      // ~100 pages of WAL: a tenth of the 1,000 pages at which the writer checkpoints itself.
      for (let i = 0; i < 100; i++) await store.createAccount(anAccount({ name: 'n'.repeat(3000) }));
      await vi.waitFor(() => {
        expect(statSync(file).size).toBeGreaterThan(before);
      }, { timeout: 10_000, interval: 10 });
    } finally {
      await store.close();
    }
  });

  it('stop with the store: close resolves and every committed write is in the file', async () => {
    const file = freshFile();
    const accounts = Array.from({ length: 50 }, () => anAccount());
    const store = await openSqliteStore({ url: `file:${file}`, checkpointInBackground: true });
    for (const account of accounts) await store.createAccount(account);
    await store.close();
    const ids = inspectSqliteFile(file, (db) => db.prepare('SELECT id FROM accounts').pluck().all());
    expect(ids).toEqual(expect.arrayContaining(accounts.map((a) => a.id)));
  });

  it('stop with the store even when nothing else keeps the process alive', async () => {
    const storeModule = fileURLToPath(new URL('./openSqliteStore.ts', import.meta.url));
    const script = `
      const { openSqliteStore } = await import(${JSON.stringify(storeModule)});
      const store = await openSqliteStore({ url: ${JSON.stringify(`file:${freshFile()}`)}, checkpointInBackground: true });
      await store.close();
      process.stdout.write('closed');`;
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '--eval',
      script,
    ]);
    expect(stdout).toBe('closed');
  });

  it('are not started for an in-memory database', async () => {
    const store = await openSqliteStore({ url: ':memory:', checkpointInBackground: true });
    await store.createAccount(anAccount());
    await store.close();
  });
});
