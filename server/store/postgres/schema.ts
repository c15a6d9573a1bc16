/**
 * The PostgreSQL schema: every table, for drizzle-kit to generate `migrations/` from
 * (`npm run db:generate:postgres`). Each table's file also holds its row type, queries and mapping.
 * Instants are epoch milliseconds in `bigint` columns, flags `boolean`, documents `jsonb`.
 */
export { accounts } from './tables/accounts.js';
export { adminChanges } from './tables/adminChanges.js';
export { refreshTokens } from './tables/refreshTokens.js';
export { secretKeys } from './tables/secretKeys.js';
export { sessions } from './tables/sessions.js';
export { signingKeys } from './tables/signingKeys.js';
export { spentVisitorTokens } from './tables/spentVisitorTokens.js';
export { userRevocations } from './tables/userRevocations.js';
export { widgets } from './tables/widgets.js';
