import { and, asc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { check, index, pgTable, text } from 'drizzle-orm/pg-core';
import type { SecretKeyRecord } from '../../records.js';
import type { Store } from '../../store.js';
import { epochMs } from '../columns.js';
import type { PostgresDb } from '../database.js';
import { accounts } from './accounts.js';

export const secretKeys = pgTable(
  'secret_keys',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    /** SHA-256 of the full key, hex: the only lookup a presented key gets. */
    hash: text('hash').notNull().unique(),
    displayPrefix: text('display_prefix').notNull(),
    mode: text('mode', { enum: ['live', 'test'] }).notNull(),
    createdAt: epochMs('created_at').notNull(),
    lastUsedAt: epochMs('last_used_at'),
    revokedAt: epochMs('revoked_at'),
    expiresAt: epochMs('expires_at'),
  },
  (t) => [
    index('secret_keys_account_id_idx').on(t.accountId),
    check('secret_keys_mode_check', sql`${t.mode} IN ('live', 'test')`),
  ],
);

export type SecretKeyRow = typeof secretKeys.$inferSelect;

/** The record leaves the hash out: it never travels further than the lookup. */
const recordColumns = {
  id: secretKeys.id,
  accountId: secretKeys.accountId,
  mode: secretKeys.mode,
  displayPrefix: secretKeys.displayPrefix,
  createdAt: secretKeys.createdAt,
  lastUsedAt: secretKeys.lastUsedAt,
  revokedAt: secretKeys.revokedAt,
  expiresAt: secretKeys.expiresAt,
};

export const toSecretKey = (r: Omit<SecretKeyRow, 'hash'>): SecretKeyRecord => ({
  id: r.id,
  accountId: r.accountId,
  mode: r.mode,
  displayPrefix: r.displayPrefix,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
  expiresAt: r.expiresAt,
});

/** touchSecretKey skips the write while the recorded use is this recent. */
export const TOUCH_COALESCE_MS = 60_000;
/** Bounds the touch memo; clearing it only costs one UPDATE per key. */
const MAX_REMEMBERED_TOUCHES = 10_000;

export function secretKeyQueries(
  db: PostgresDb,
): Pick<
  Store,
  | 'createSecretKey'
  | 'findActiveSecretKey'
  | 'touchSecretKey'
  | 'listSecretKeys'
  | 'revokeSecretKey'
  | 'findSecretKey'
  | 'rollSecretKey'
> {
  const p = (name: keyof SecretKeyRow | 'at') => sql.placeholder(name);
  const insert = db
    .insert(secretKeys)
    .values({
      id: p('id'),
      accountId: p('accountId'),
      hash: p('hash'),
      displayPrefix: p('displayPrefix'),
      mode: p('mode'),
      createdAt: p('createdAt'),
    })
    .prepare('secret_keys_insert');
  const findActive = db
    .select(recordColumns)
    .from(secretKeys)
    .where(
      and(
        eq(secretKeys.hash, p('hash')),
        isNull(secretKeys.revokedAt),
        or(isNull(secretKeys.expiresAt), gt(secretKeys.expiresAt, sql`${p('at')}::bigint`)),
      ),
    )
    .prepare('secret_keys_find_active');
  const findById = db.select(recordColumns).from(secretKeys).where(eq(secretKeys.id, p('id'))).prepare('secret_keys_find');
  // Only an older use is overwritten, so a late touch never moves lastUsedAt backwards.
  const touch = db
    .update(secretKeys)
    .set({ lastUsedAt: sql`${p('at')}::bigint` })
    .where(
      and(
        eq(secretKeys.id, p('id')),
        sql`(${secretKeys.lastUsedAt} IS NULL OR ${secretKeys.lastUsedAt} < ${p('at')}::bigint - ${sql.raw(String(TOUCH_COALESCE_MS))})`,
      ),
    )
    .prepare('secret_keys_touch');
  const listByAccount = db
    .select(recordColumns)
    .from(secretKeys)
    .where(eq(secretKeys.accountId, p('accountId')))
    .orderBy(asc(secretKeys.createdAt), asc(secretKeys.id))
    .prepare('secret_keys_list');
  // coalesce keeps the first revocation time when a key is revoked twice.
  const revokedAt = sql`coalesce(${secretKeys.revokedAt}, ${p('at')}::bigint)`;
  const revokeById = db
    .update(secretKeys)
    .set({ revokedAt })
    .where(eq(secretKeys.id, p('id')))
    .returning(recordColumns)
    .prepare('secret_keys_revoke_by_id');
  const revokeByHash = db
    .update(secretKeys)
    .set({ revokedAt })
    .where(eq(secretKeys.hash, p('hash')))
    .returning(recordColumns)
    .prepare('secret_keys_revoke_by_hash');

  /** Secret key id → the `last_used_at` this process last wrote. */
  const lastTouch = new Map<string, number>();

  return {
    createSecretKey: async (key) => {
      await insert.execute({ ...key });
    },
    findActiveSecretKey: async (hash, at) => {
      const [row] = await findActive.execute({ hash, at });
      return row && toSecretKey(row);
    },
    findSecretKey: async (id) => {
      const [row] = await findById.execute({ id });
      return row && toSecretKey(row);
    },
    // The successor is inserted only from the row the conditional UPDATE returned.
    rollSecretKey: ({ id, now, expiresAt, successor }) =>
      db.transaction(async (tx) => {
        const [rolled] = await tx
          .update(secretKeys)
          .set({ expiresAt: sql`least(coalesce(${secretKeys.expiresAt}, ${expiresAt}::bigint), ${expiresAt}::bigint)` })
          .where(
            and(
              eq(secretKeys.id, id),
              eq(secretKeys.accountId, successor.accountId),
              eq(secretKeys.mode, successor.mode),
              isNull(secretKeys.revokedAt),
              or(isNull(secretKeys.expiresAt), gt(secretKeys.expiresAt, now)),
            ),
          )
          .returning(recordColumns);
        if (rolled === undefined) return undefined;
        await tx.insert(secretKeys).values(successor);
        return toSecretKey(rolled);
      }),
    touchSecretKey: async (id, at) => {
      const last = lastTouch.get(id);
      // What this process wrote less than the coalescing window ago: the UPDATE would match
      // nothing, but it would still cost a round trip on every user-token call.
      if (last !== undefined && at >= last && at - last < TOUCH_COALESCE_MS) return;
      const result = await touch.execute({ id, at });
      if (result.rowCount === 1) {
        if (lastTouch.size >= MAX_REMEMBERED_TOUCHES) lastTouch.clear();
        lastTouch.set(id, at);
      }
    },
    listSecretKeys: async (accountId) =>
      (await listByAccount.execute({ accountId })).map(toSecretKey),
    revokeSecretKey: async (ref, at) => {
      const [row] =
        'id' in ref
          ? await revokeById.execute({ id: ref.id, at })
          : await revokeByHash.execute({ hash: ref.hash, at });
      return row && toSecretKey(row);
    },
  };
}
