/**
 * The SQLite schema, the source drizzle-kit generates `migrations/` from (`npm run db:generate`).
 * Instants are integer epoch milliseconds; flags are 0/1 integers; JSON documents are text.
 * The store's hot path uses raw prepared statements (see `statements.ts`), so these definitions
 * matter for migrations and for anyone querying the tables through drizzle.
 */
import { sql } from 'drizzle-orm';
import { blob, check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { PublicJwk, UserMetadata, WidgetPublicSettings } from '../../../contract/index.js';

const modes = ['live', 'test'] as const;

export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const widgets = sqliteTable(
  'widgets',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    clientKey: text('client_key').notNull().unique(),
    name: text('name').notNull(),
    mode: text('mode', { enum: modes }).notNull(),
    origins: text('origins', { mode: 'json' }).$type<string[]>().notNull(),
    settings: text('settings', { mode: 'json' }).$type<WidgetPublicSettings>().notNull(),
    guestEnabled: integer('guest_enabled', { mode: 'boolean' }).notNull(),
    disabled: integer('disabled', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [check('widgets_mode_check', sql`${t.mode} IN ('live', 'test')`)],
);

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
  },
  (t) => [
    index('secret_keys_account_id_idx').on(t.accountId),
    check('secret_keys_mode_check', sql`${t.mode} IN ('live', 'test')`),
  ],
);

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

/**
 * One row per exchanged visitor token. `session_id` deliberately has no foreign key: the purge may
 * delete the session first, and the replay report then reads it back as null (LEFT JOIN) instead of
 * paying for an index and an ON DELETE action on the hot insert path.
 */
export const spentVisitorTokens = sqliteTable(
  'spent_visitor_tokens',
  {
    jti: text('jti').primaryKey(),
    spentAt: integer('spent_at').notNull(),
    /** The visitor token's own expiry: after it, the jti can never be presented again. */
    expiresAt: integer('expires_at').notNull(),
    sessionId: text('session_id'),
  },
  (t) => [index('spent_visitor_tokens_expires_at_idx').on(t.expiresAt)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    widgetId: text('widget_id')
      .notNull()
      .references(() => widgets.id),
    clientKey: text('client_key').notNull(),
    visitorId: text('visitor_id').notNull(),
    kind: text('kind', { enum: ['guest', 'user'] }).notNull(),
    userId: text('user_id'),
    name: text('name'),
    email: text('email'),
    metadata: text('metadata', { mode: 'json' }).$type<UserMetadata>(),
    origin: text('origin').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [
    index('sessions_expires_at_idx').on(t.expiresAt),
    index('sessions_revoked_at_idx')
      .on(t.revokedAt)
      .where(sql`${t.revokedAt} IS NOT NULL`),
    check('sessions_kind_check', sql`${t.kind} IN ('guest', 'user')`),
  ],
);

export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    /** SHA-256 of the token, hex. */
    hash: text('hash').notNull().unique(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    spentAt: integer('spent_at'),
    /** No foreign key: rotation marks the token spent before the successor row exists. */
    successorId: text('successor_id'),
    successorBox: blob('successor_box', { mode: 'buffer' }),
  },
  (t) => [
    index('refresh_tokens_session_id_idx').on(t.sessionId),
    // The purge finds sessions whose unspent token idled out, without scanning every session.
    index('refresh_tokens_unspent_expires_at_idx')
      .on(t.expiresAt)
      .where(sql`${t.spentAt} IS NULL`),
    // The purge clears boxes past the grace window; only rows that still hold one are indexed.
    index('refresh_tokens_boxed_spent_at_idx')
      .on(t.spentAt)
      .where(sql`${t.successorBox} IS NOT NULL`),
  ],
);
