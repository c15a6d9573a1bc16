/** The signing_keys table: its schema, its statements and its rows as records. */
import { and, asc, eq, getTableColumns, gt, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
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
    activatesAt: integer('activates_at').notNull(),
    retiredAt: integer('retired_at'),
    withdrawnAt: integer('withdrawn_at'),
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
  const at = sql.placeholder('at');
  // Every key that would still sign at `at` stops then: the current one and any scheduled one.
  const retireFrom = db
    .update(signingKeys)
    .set({ retiredAt: bound('at') })
    .where(or(isNull(signingKeys.retiredAt), gt(signingKeys.retiredAt, at)))
    .prepare();
  const activatedAfter = db
    .select({ kid: signingKeys.kid })
    .from(signingKeys)
    .where(gt(signingKeys.activatesAt, sql.placeholder('after')))
    .limit(1)
    .prepare();
  const rotate = db.$client.transaction((key: SigningKeyRow, unlessActivatedAfter: number | undefined) => {
    if (unlessActivatedAfter !== undefined && activatedAfter.get({ after: unlessActivatedAfter })) return false;
    retireFrom.run({ at: key.activatesAt });
    insert.run(key);
    return true;
  });
  const withdraw = db
    .update(signingKeys)
    .set({ withdrawnAt: sql`coalesce(${signingKeys.withdrawnAt}, ${at})` })
    .where(and(eq(signingKeys.kid, sql.placeholder('kid')), isNotNull(signingKeys.retiredAt), lte(signingKeys.retiredAt, at)))
    .returning()
    .prepare();
  // The stored text is the JSON.stringify of the record's object, so the text compares exactly.
  const replacePrivate = db.$client.prepare<{ kid: string; from: string; to: string }>(
    'UPDATE signing_keys SET private_jwk = @to WHERE kid = @kid AND private_jwk = @from',
  );

  return {
    list: (): SigningKeyRecord[] => all.all().map(toSigningKey),
    /** Inserts the key only if no key is current; true if it was inserted. */
    insertFirst: (key: SigningKeyRow): boolean => insertFirst.run(key).changes === 1,
    /**
     * Inserts `key` and retires at its `activatesAt` every key that would sign after it, in one
     * IMMEDIATE transaction (the write lock taken up front, waiting under busy_timeout).
     */
    rotate: (key: SigningKeyRow, unlessActivatedAfter?: number): boolean => rotate.immediate(key, unlessActivatedAfter),
    /** The retired key as withdrawn, or undefined if it is unknown or not retired by `at`. */
    withdraw: (kid: string, at: number): SigningKeyRecord | undefined => {
      const row = withdraw.get({ kid, at });
      return row && toSigningKey(row);
    },
    /** Compare-and-set of the stored private part; true if it was still `from`. */
    replacePrivate: (kid: string, from: Record<string, unknown>, to: Record<string, unknown>): boolean =>
      replacePrivate.run({ kid, from: JSON.stringify(from), to: JSON.stringify(to) }).changes === 1,
  };
}
