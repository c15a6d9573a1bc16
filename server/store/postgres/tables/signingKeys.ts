import { and, asc, eq, gt, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
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
    activatesAt: epochMs('activates_at').notNull(),
    retiredAt: epochMs('retired_at'),
    withdrawnAt: epochMs('withdrawn_at'),
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
  activatesAt: r.activatesAt,
  retiredAt: r.retiredAt,
  withdrawnAt: r.withdrawnAt,
});

/**
 * Signing-key writes take this transaction-level advisory lock first, so each one's statements
 * see every earlier write committed: a rotation then retires whatever key is current, even one
 * another instance inserted a moment ago. The key is arbitrary and fixed ("katasign" in ASCII).
 */
const lockSigningKeys = sql`SELECT pg_advisory_xact_lock(7737593596696160110)`;

export function signingKeyQueries(
  db: PostgresDb,
): Pick<Store, 'listSigningKeys' | 'insertFirstSigningKey' | 'rotateSigningKey' | 'replaceSigningKeyPrivateJwk' | 'withdrawSigningKey'> {
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
    activatesAt: key.activatesAt,
    retiredAt: key.retiredAt,
    withdrawnAt: key.withdrawnAt,
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
    rotateSigningKey: (key, options) =>
      db.transaction(async (tx) => {
        await tx.execute(lockSigningKeys);
        if (options !== undefined) {
          const later = await tx
            .select({ kid: signingKeys.kid })
            .from(signingKeys)
            .where(gt(signingKeys.activatesAt, options.unlessActivatedAfter))
            .limit(1);
          if (later.length > 0) return false;
        }
        // Every key that would still sign at the new key's activation stops then.
        await tx
          .update(signingKeys)
          .set({ retiredAt: key.activatesAt })
          .where(or(isNull(signingKeys.retiredAt), gt(signingKeys.retiredAt, key.activatesAt)));
        await tx.insert(signingKeys).values(insertValues(key));
        return true;
      }),
    withdrawSigningKey: async (kid, at) => {
      const [row] = await db
        .update(signingKeys)
        .set({ withdrawnAt: sql`coalesce(${signingKeys.withdrawnAt}, ${at}::bigint)` })
        .where(and(eq(signingKeys.kid, kid), isNotNull(signingKeys.retiredAt), lte(signingKeys.retiredAt, at)))
        .returning();
      return row && toSigningKey(row);
    },
    // jsonb equality compares the documents, whatever their key order.
    replaceSigningKeyPrivateJwk: async (kid, from, to) => {
      const replaced = await db
        .update(signingKeys)
        .set({ privateJwk: to })
        .where(and(eq(signingKeys.kid, kid), sql`${signingKeys.privateJwk} = ${JSON.stringify(from)}::jsonb`))
        .returning({ kid: signingKeys.kid });
      return replaced.length === 1;
    },
  };
}
