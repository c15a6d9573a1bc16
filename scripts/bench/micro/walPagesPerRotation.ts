/**
 * Pages written to SQLite's WAL per refresh-token rotation (and per new session with its first
 * token), on a bench database as created and on one grown by `--grown`'s seeding. Counts pages,
 * not time, so a busy machine does not move it (the CPU per rotation it also prints does move).
 * The rows are written with the statements' own shapes in raw SQL (look the token up, mark it
 * spent, insert the successor), in transactions of 50 as group commit makes them under load.
 * Each database is measured twice: with tokens found by the id they carry, as the service
 * stores them, and with every token in the index of hashes and found by hash, as tokens issued
 * before they carried an id are.
 *
 *   npx tsx scripts/bench/micro/walPagesPerRotation.ts [grownRows]   # default 1,000,000
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { newTimeOrderedId } from '../../../server/keys/ids.js';
import { openDatabase } from '../../../server/store/sqlite/openDatabase.js';
import { seedGrownRows } from '../grownDatabase.js';
import { seedBenchWidget } from '../seedBenchWidget.js';

const OPERATIONS = 5000;
const PER_TRANSACTION = 50;
const DAY_MS = 24 * 60 * 60 * 1000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Frames in the WAL since the last reset, then resets it. */
function takeWalFrames(db: Database.Database): number {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
  db.pragma('wal_checkpoint(TRUNCATE)');
  return result?.log ?? Number.NaN;
}

type Lookup = 'id' | 'hash';

async function measure(grownRows: number, lookup: Lookup): Promise<{ perSession: number; perRotation: number; rotationCpuMicros: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'kataven-wal-pages-'));
  try {
    const url = `file:${join(dir, 'bench.sqlite')}`;
    const { clientKey } = await seedBenchWidget(url);
    if (grownRows > 0) await seedGrownRows(url, clientKey, { live: grownRows, expired: 0 }, Date.now());
    const db = openDatabase(url);
    try {
      const byHash = lookup === 'hash' ? 1 : 0;
      db.prepare('UPDATE refresh_tokens SET by_hash = ?').run(byHash);
      db.pragma('wal_autocheckpoint = 0');
      takeWalFrames(db);
      const widget = db.prepare('SELECT id, origins ->> 0 AS origin FROM widgets WHERE client_key = ?').get(clientKey) as { id: string; origin: string };
      const now = Date.now();
      const insertSession = db.prepare(
        `INSERT INTO sessions (id, widget_id, client_key, visitor_id, kind, origin, created_at, expires_at) VALUES (?, ?, ?, ?, 'guest', ?, ?, ?)`,
      );
      const insertToken = db.prepare(`INSERT INTO refresh_tokens (id, hash, session_id, created_at, expires_at, by_hash) VALUES (?, ?, ?, ?, ?, ${byHash})`);
      const find = db.prepare(
        `SELECT t.id, t.hash, t.session_id FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE ${lookup === 'id' ? 't.id = ?' : 't.hash = ? AND t.by_hash'}`,
      );
      const spend = db.prepare('UPDATE refresh_tokens SET spent_at = ?, successor_id = ?, successor_box = ? WHERE id = ? AND spent_at IS NULL');
      const issued: { id: string; secret: string }[] = [];

      for (let done = 0; done < OPERATIONS; done += PER_TRANSACTION) {
        db.transaction(() => {
          for (let i = 0; i < PER_TRANSACTION; i++) {
            const sessionId = newTimeOrderedId('ses', Date.now());
            const token = { id: newTimeOrderedId('rtk', Date.now()), secret: randomBytes(32).toString('base64url') };
            issued.push(token);
            insertSession.run(sessionId, widget.id, clientKey, `vis_${randomBytes(11).toString('hex')}`, widget.origin, now, now + DAY_MS);
            insertToken.run(token.id, sha256(token.secret), sessionId, now, now + DAY_MS);
          }
        })();
      }
      const sessionFrames = takeWalFrames(db);

      const cpuBefore = process.cpuUsage();
      for (let done = 0; done < OPERATIONS; done += PER_TRANSACTION) {
        db.transaction(() => {
          for (const { id, secret } of issued.slice(done, done + PER_TRANSACTION)) {
            const hash = sha256(secret);
            const token = find.get(lookup === 'id' ? id : hash) as { id: string; hash: string; session_id: string };
            if (token.hash !== hash) throw new Error('found another token');
            const successorId = newTimeOrderedId('rtk', Date.now());
            spend.run(now + 1, successorId, Buffer.alloc(48), token.id);
            insertToken.run(successorId, sha256(randomBytes(32).toString('base64url')), token.session_id, now + 1, now + DAY_MS);
          }
        })();
      }
      const cpu = process.cpuUsage(cpuBefore);
      const rotationFrames = takeWalFrames(db);
      return { perSession: sessionFrames / OPERATIONS, perRotation: rotationFrames / OPERATIONS, rotationCpuMicros: (cpu.user + cpu.system) / OPERATIONS };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const grownRows = Number(process.argv[2] ?? 1_000_000);
for (const rows of [0, grownRows]) {
  for (const lookup of ['id', 'hash'] as const) {
    const { perSession, perRotation, rotationCpuMicros } = await measure(rows, lookup);
    process.stdout.write(
      `${rows.toLocaleString('en-US')} seeded rows, found by ${lookup.padEnd(4)}: ${perSession.toFixed(2)} WAL pages per new session, ${perRotation.toFixed(2)} per rotation (${rotationCpuMicros.toFixed(0)} µs of CPU each, checkpoints not included)\n`,
    );
  }
}
