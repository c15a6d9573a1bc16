import { eq, sql } from 'drizzle-orm';
import { index, pgTable, text } from 'drizzle-orm/pg-core';
import type { Store } from '../../store.js';
import { epochMs } from '../columns.js';
import { namedQuery, type PostgresDb } from '../database.js';
import { NEW_REFRESH_TOKEN_COLUMNS } from './refreshTokens.js';
import { sessionInsert, sessions } from './sessions.js';

/**
 * One row per exchanged visitor token. `session_id` deliberately has no foreign key: the purge may
 * delete the session first, and the replay report then reads it back as null (LEFT JOIN) instead of
 * paying for an index and an ON DELETE action on the hot insert path.
 */
export const spentVisitorTokens = pgTable(
  'spent_visitor_tokens',
  {
    jti: text('jti').primaryKey(),
    spentAt: epochMs('spent_at').notNull(),
    /** The visitor token's own expiry: after it, the jti can never be presented again. */
    expiresAt: epochMs('expires_at').notNull(),
    sessionId: text('session_id'),
  },
  (t) => [index('spent_visitor_tokens_expires_at_idx').on(t.expiresAt)],
);

export type SpentVisitorTokenRow = typeof spentVisitorTokens.$inferSelect;

/** Who spent a jti first, and when; the session is null once the purge removed it. */
type FirstSpend = Pick<SpentVisitorTokenRow, 'spentAt' | 'sessionId'>;
type ConsumeRow =
  { started: true; spentAt: null; sessionId: null } | ({ started: false } & FirstSpend);

/**
 * Spends the jti and starts the session with its first refresh token in one statement. The
 * INSERT … ON CONFLICT DO NOTHING decides: the session and token are inserted only from the row
 * it returned, so of any number of concurrent consumes exactly one writes anything (a loser
 * waits for the winner's commit, then conflicts). A loser gets the first spend back from the
 * same statement when the winner committed before it began; otherwise it reads it next.
 */
const CONSUME = `
  WITH spent AS (
    INSERT INTO spent_visitor_tokens (jti, spent_at, expires_at, session_id)
    VALUES ($1, $2, $3, $4)
    ON CONFLICT (jti) DO NOTHING
    RETURNING jti
  ), session AS (
    INSERT INTO sessions (${sessionInsert.columns})
    SELECT ${sessionInsert.placeholders(9)} FROM spent
    RETURNING id
  ), token AS (
    INSERT INTO refresh_tokens (${NEW_REFRESH_TOKEN_COLUMNS})
    SELECT $5::text, $6::text, id, $7::bigint, $8::bigint, false FROM session
    RETURNING id
  )
  SELECT true AS started, NULL::bigint AS "spentAt", NULL::text AS "sessionId" FROM token
  UNION ALL
  SELECT false, v.spent_at, s.id
  FROM spent_visitor_tokens v LEFT JOIN sessions s ON s.id = v.session_id
  WHERE v.jti = $1 AND NOT EXISTS (SELECT 1 FROM spent)`;

export function visitorTokenQueries(db: PostgresDb): Pick<Store, 'consumeVisitorToken'> {
  const consume = namedQuery<unknown[], ConsumeRow>(db.$client, 'visitor_tokens_consume', CONSUME);
  const findFirstSpend = db
    .select({ spentAt: spentVisitorTokens.spentAt, sessionId: sessions.id })
    .from(spentVisitorTokens)
    .leftJoin(sessions, eq(sessions.id, spentVisitorTokens.sessionId))
    .where(eq(spentVisitorTokens.jti, sql.placeholder('jti')))
    .prepare('visitor_tokens_first_spend');

  return {
    consumeVisitorToken: async ({ jti, tokenExpiresAt, spentAt, session, refreshToken }) => {
      const { rows } = await consume(
        jti,
        spentAt,
        tokenExpiresAt,
        session.id,
        refreshToken.id,
        refreshToken.hash,
        refreshToken.createdAt,
        refreshToken.expiresAt,
        ...sessionInsert.values(session),
      );
      const [row] = rows;
      if (row?.started === true) return { started: true };
      // The statement's snapshot predates the winner's commit: read it with a fresh one.
      const first = row ?? (await findFirstSpend.execute({ jti }))[0];
      if (first === undefined) throw new Error('a spent visitor jti vanished before it was read');
      return { started: false, spentAt: first.spentAt, sessionId: first.sessionId };
    },
  };
}
