import { asc, isNull, sql } from 'drizzle-orm';
import { check, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { PublicJwk } from '../../../../contract/index.js';
import type { SigningKeyRecord } from '../../records.js';
import type { Store } from '../../store.js';
import { epochMs } from '../columns.js';
import type { PostgresDb } from '../database.js';

export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    alg: text('alg', { enum: ['ES256'] }).notNull(),
    privateJwk: jsonb('private_jwk').$type<Record<string, unknown>>().notNull(),
    publicJwk: jsonb('public_jwk').$type<PublicJwk>().notNull(),
    createdAt: epochMs('created_at').notNull(),
    retiredAt: epochMs('retired_at'),
  },
  (t) => [
    check('signing_keys_alg_check', sql`${t.alg} = 'ES256'`),
    // At most one current key, whatever number of instances insert or rotate at once.
    uniqueIndex('signing_keys_one_current_idx')
      .on(sql`(${t.retiredAt} IS NULL)`)
      .where(sql`${t.retiredAt} IS NULL`),
  ],
);

export type SigningKeyRow = typeof signingKeys.$inferSelect;

export const toSigningKey = (r: SigningKeyRow): SigningKeyRecord => ({
  kid: r.kid,
  alg: r.alg,
  privateJwk: r.privateJwk,
  publicJwk: r.publicJwk,
  createdAt: r.createdAt,
  retiredAt: r.retiredAt,
});

/**
 * Signing-key writes take this transaction-level advisory lock first, so each one's statements
 * see every earlier write committed: a rotation then retires whatever key is current, even one
 * another instance inserted a moment ago. The key is arbitrary and fixed ("katasign" in ASCII).
 */
const lockSigningKeys = sql`SELECT pg_advisory_xact_lock(7737593596696160110)`;

export function signingKeyQueries(
  db: PostgresDb,
): Pick<Store, 'listSigningKeys' | 'insertFirstSigningKey' | 'rotateSigningKey'> {
  const list = db
    .select()
    .from(signingKeys)
    .orderBy(asc(signingKeys.createdAt), asc(signingKeys.kid))
    .prepare('signing_keys_list');

  const insertValues = (key: SigningKeyRecord) => ({
    kid: key.kid,
    alg: key.alg,
    privateJwk: key.privateJwk,
    publicJwk: key.publicJwk,
    createdAt: key.createdAt,
    retiredAt: key.retiredAt,
  });

  return {
    listSigningKeys: async () => (await list.execute()).map(toSigningKey),
    // The partial unique index on the current key makes the insert "only if there is none".
    insertFirstSigningKey: (key) =>
      db.transaction(async (tx) => {
        await tx.execute(lockSigningKeys);
        const inserted = await tx
          .insert(signingKeys)
          .values(insertValues(key))
          .onConflictDoNothing()
          .returning({ kid: signingKeys.kid });
        return inserted.length === 1;
      }),
    rotateSigningKey: async (key) => {
      await db.transaction(async (tx) => {
        await tx.execute(lockSigningKeys);
        await tx
          .update(signingKeys)
          .set({ retiredAt: key.createdAt })
          .where(isNull(signingKeys.retiredAt));
        await tx.insert(signingKeys).values(insertValues(key));
      });
    },
  };
}
