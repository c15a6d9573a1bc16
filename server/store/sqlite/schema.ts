/**
 * The SQLite schema, the source drizzle-kit generates `migrations/` from (`npm run db:generate`):
 * every table, each defined in its own file under `tables/` next to its statements. Instants are
 * integer epoch milliseconds; flags are 0/1 integers; JSON documents are text.
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
