/** The signing_keys table: its schema, its statements and its rows as records. */
import { asc, getTableColumns, isNull, sql } from 'drizzle-orm';
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { PublicJwk } from '../../../../contract/index.js';
import type { SigningKeyRecord } from '../../records.js';
import { bound, rowPlaceholders } from './placeholders.js';
import type { SqliteDb } from './sqliteDb.js';

export const signingKeys = sqliteTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    alg: text('alg', { enum: ['ES256'] }).notNull(),
    privateJwk: text('private_jwk', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    publicJwk: text('public_jwk', { mode: 'json' }).$type<PublicJwk>().notNull(),
    createdAt: integer('created_at').notNull(),
    retiredAt: integer('retired_at'),
  },
  (t) => [check('signing_keys_alg_check', sql`${t.alg} = 'ES256'`)],
);

export type SigningKeyRow = typeof signingKeys.$inferSelect;

/** Every column is a field of the record; drizzle decodes the JWKs. */
export const toSigningKey = (row: SigningKeyRow): SigningKeyRecord => row;

export function prepareSigningKeyStatements(db: SqliteDb) {
  const all = db
    .select()
    .from(signingKeys)
    .orderBy(asc(signingKeys.createdAt), asc(signingKeys.kid))
    .prepare();
  const insert = db.insert(signingKeys).values(rowPlaceholders(signingKeys)).prepare();
  // INSERT … SELECT … WHERE NOT EXISTS: the check and the insert are one statement. drizzle has
  // no SELECT without FROM, so the row is a list of placeholders, each encoded by its column.
  const row = sql.join(
    Object.entries(getTableColumns(signingKeys)).map(([name, column]) =>
      sql.param(sql.placeholder(name), column),
    ),
    sql`, `,
  );
  const insertFirst = db
    .insert(signingKeys)
    .select(
      sql`SELECT ${row} WHERE NOT EXISTS (SELECT 1 FROM ${signingKeys} WHERE ${isNull(signingKeys.retiredAt)})`,
    )
    .prepare();
  const retireCurrent = db
    .update(signingKeys)
    .set({ retiredAt: bound('at') })
    .where(isNull(signingKeys.retiredAt))
    .prepare();
  const rotate = db.$client.transaction((key: SigningKeyRow) => {
    retireCurrent.run({ at: key.createdAt });
    insert.run(key);
  });

  return {
    list: (): SigningKeyRecord[] => all.all().map(toSigningKey),
    /** Inserts the key only if no key is current; true if it was inserted. */
    insertFirst: (key: SigningKeyRow): boolean => insertFirst.run(key).changes === 1,
    /**
     * Makes `key` the current key and retires every other current key at its `createdAt`, in one
     * IMMEDIATE transaction (the write lock taken up front, waiting under busy_timeout).
     */
    rotate: (key: SigningKeyRow) => {
      rotate.immediate(key);
    },
  };
}
