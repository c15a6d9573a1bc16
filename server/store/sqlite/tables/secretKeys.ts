/** The secret_keys table: its schema, its statements and its rows as records. */
import { and, asc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { EpochMs, NewSecretKey, SecretKeyRecord } from '../../records.js';
import { accounts } from './accounts.js';
import { byPosition } from './byPosition.js';
import { bound, placeholders } from './placeholders.js';
import type { SqliteDb } from './sqliteDb.js';
import { modes } from './widgets.js';

export const secretKeys = sqliteTable(
  'secret_keys',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    /** SHA-256 of the full key, hex: the only lookup a presented key gets. */
    hash: text('hash').notNull().unique(),
    displayPrefix: text('display_prefix').notNull(),
    mode: text('mode', { enum: modes }).notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
    expiresAt: integer('expires_at'),
  },
  (t) => [
    index('secret_keys_account_id_idx').on(t.accountId),
    check('secret_keys_mode_check', sql`${t.mode} IN ('live', 'test')`),
  ],
);

/** Every column but the hash: a record never carries it. */
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

const recordColumnsInOrder = byPosition(recordColumns);

export type SecretKeyRow = Omit<typeof secretKeys.$inferSelect, 'hash'>;

/** The columns a record reads are the record's fields, as they are. */
export const toSecretKey = (row: SecretKeyRow): SecretKeyRecord => row;

/** touchSecretKey skips the write while the recorded use is this recent. */
export const TOUCH_COALESCE_MS = 60_000;

/** Bounds the touch memo; clearing it only costs one UPDATE per key. */
const MAX_REMEMBERED_TOUCHES = 10_000;

/** A new key is inserted unused and unrevoked. */
const newKeyColumns = ['id', 'accountId', 'hash', 'displayPrefix', 'mode', 'createdAt'] as const;
export type NewSecretKeyRow = Pick<typeof secretKeys.$inferInsert, (typeof newKeyColumns)[number]>;

interface RollInput {
  id: string;
  now: EpochMs;
  expiresAt: EpochMs;
  successor: NewSecretKey;
}

export function prepareSecretKeyStatements(db: SqliteDb) {
  const insert = db.insert(secretKeys).values(placeholders(newKeyColumns)).prepare();
  // Hot path (every server-to-server call): raw, see SqliteDb.
  const activeByHash = db.$client
    .prepare<[string, EpochMs], unknown[]>(
      `SELECT ${recordColumnsInOrder.list()} FROM secret_keys
       WHERE hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
    )
    .raw();
  const byId = db.select(recordColumns).from(secretKeys).where(eq(secretKeys.id, sql.placeholder('id'))).prepare();
  // The successor takes the rolled key's place only if the rolled key is still usable.
  const expire = db
    .update(secretKeys)
    .set({ expiresAt: sql`min(coalesce(${secretKeys.expiresAt}, ${sql.placeholder('expiresAt')}), ${sql.placeholder('expiresAt')})` })
    .where(
      and(
        eq(secretKeys.id, sql.placeholder('id')),
        eq(secretKeys.accountId, sql.placeholder('accountId')),
        eq(secretKeys.mode, sql.placeholder('mode')),
        isNull(secretKeys.revokedAt),
        or(isNull(secretKeys.expiresAt), gt(secretKeys.expiresAt, sql.placeholder('now'))),
      ),
    )
    .returning(recordColumns)
    .prepare();
  const roll = db.$client.transaction((input: RollInput): SecretKeyRecord | undefined => {
    const { successor } = input;
    const rolled = expire.get({ id: input.id, now: input.now, expiresAt: input.expiresAt, accountId: successor.accountId, mode: successor.mode });
    if (rolled === undefined) return undefined;
    insert.run({ ...successor });
    return toSecretKey(rolled);
  });
  const at = sql.placeholder('at');
  const touch = db
    .update(secretKeys)
    .set({ lastUsedAt: bound('at') })
    .where(
      and(
        eq(secretKeys.id, sql.placeholder('id')),
        or(
          isNull(secretKeys.lastUsedAt),
          lt(secretKeys.lastUsedAt, sql`${at} - ${TOUCH_COALESCE_MS}`),
        ),
      ),
    )
    .prepare();
  const ofAccount = db
    .select(recordColumns)
    .from(secretKeys)
    .where(eq(secretKeys.accountId, sql.placeholder('accountId')))
    .orderBy(asc(secretKeys.createdAt), asc(secretKeys.id))
    .prepare();
  // coalesce keeps the first revocation time when a key is revoked twice.
  const revokedAt = sql`coalesce(${secretKeys.revokedAt}, ${at})`;
  const revokeById = db
    .update(secretKeys)
    .set({ revokedAt })
    .where(eq(secretKeys.id, sql.placeholder('id')))
    .returning(recordColumns)
    .prepare();
  const revokeByHash = db
    .update(secretKeys)
    .set({ revokedAt })
    .where(eq(secretKeys.hash, sql.placeholder('hash')))
    .returning(recordColumns)
    .prepare();

  /** Secret key id → the `last_used_at` this connection last wrote. */
  const lastTouch = new Map<string, number>();

  return {
    insert: (row: NewSecretKeyRow) => {
      insert.run(row);
    },
    findActive: (hash: string, now: EpochMs): SecretKeyRecord | undefined => {
      const row = activeByHash.get(hash, now);
      return row && toSecretKey(recordColumnsInOrder.read(row));
    },
    find: (id: string): SecretKeyRecord | undefined => {
      const [row] = byId.all({ id });
      return row && toSecretKey(row);
    },
    /** The rolled key, or undefined (writing nothing) if it is unknown, revoked or expired. */
    roll: (input: RollInput): SecretKeyRecord | undefined => roll.immediate(input),
    touch: (id: string, now: EpochMs) => {
      const last = lastTouch.get(id);
      // What this connection wrote less than the coalescing window ago: the UPDATE would match
      // nothing, but it still costs a write transaction on every user-token call.
      if (last !== undefined && now >= last && now - last < TOUCH_COALESCE_MS) return;
      if (touch.run({ id, at: now }).changes === 1) {
        if (lastTouch.size >= MAX_REMEMBERED_TOUCHES) lastTouch.clear();
        lastTouch.set(id, now);
      }
    },
    listOfAccount: (accountId: string): SecretKeyRecord[] =>
      ofAccount.all({ accountId }).map(toSecretKey),
    /** The key as revoked (by its first revocation), or undefined if unknown. */
    revoke: (ref: { id: string } | { hash: string }, now: EpochMs): SecretKeyRecord | undefined => {
      const row =
        'id' in ref
          ? revokeById.get({ id: ref.id, at: now })
          : revokeByHash.get({ hash: ref.hash, at: now });
      return row && toSecretKey(row);
    },
  };
}
