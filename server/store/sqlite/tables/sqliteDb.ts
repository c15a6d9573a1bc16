import type { Database } from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';

/**
 * drizzle over the store's one better-sqlite3 connection. `$client` is that connection, for
 * better-sqlite3's own transactions and for raw statements: those drizzle cannot express, and the
 * hot ones of the exchange and refresh flows. drizzle's prepared queries fill in parameters and
 * map rows in JavaScript on every call, which costs more than better-sqlite3 binding them natively
 * (docs/performance.md, "Raw prepared statements"); a raw statement still takes its parameter and
 * row types from the schema.
 */
export type SqliteDb = BetterSQLite3Database & { $client: Database };

export const sqliteDb = (client: Database): SqliteDb => drizzle(client);
