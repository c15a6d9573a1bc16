import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createManualClock } from './clock.js';
import { loadConfig } from './config.js';
import { startMaintenance } from './maintenance.js';
import { openStore } from './store/openStore.js';
import { aRefreshToken, aSession, aWidget, anAccount, DAY } from './store/test-support/storeFixtures.js';
import { useTempSqliteFiles } from './store/test-support/sqliteFiles.js';
import { createKeyVault } from './tokens/keyVault.js';

const sqliteFile = useTempSqliteFiles();

describe('maintenance purge', () => {
  it('purges a backlog larger than one batch completely, batch after batch, and keeps what is live', async () => {
    const store = await openStore({ url: `file:${sqliteFile()}` });
    const clock = createManualClock();
    const start = clock.now();
    try {
      const account = anAccount();
      await store.createAccount(account);
      const widget = aWidget(account.id);
      await store.createWidget(widget);
      const consume = (i: number, expiresAt: number) =>
        store.consumeVisitorToken({
          jti: `jti-${String(i)}`,
          tokenExpiresAt: expiresAt,
          spentAt: start,
          session: aSession(widget, { createdAt: start, expiresAt }),
          refreshToken: aRefreshToken({ createdAt: start, expiresAt }),
        });
      for (let i = 0; i < 7; i++) await consume(i, start + DAY);
      const live = aRefreshToken({ createdAt: start, expiresAt: start + 3 * DAY });
      await store.consumeVisitorToken({
        jti: 'jti-live',
        tokenExpiresAt: start + 3 * DAY,
        spentAt: start,
        session: aSession(widget, { createdAt: start, expiresAt: start + 3 * DAY }),
        refreshToken: live,
      });
      clock.advance(2 * DAY);

      const maintenance = startMaintenance({ store, clock, config: loadConfig({}), logger: pino({ level: 'silent' }), vault: createKeyVault(undefined), batchRows: 2 });
      const purged = await maintenance.purgeNow();
      maintenance.stop();

      expect(purged).toEqual({ visitorTokens: 7, sessions: 7, refreshTokens: 7, successorBoxes: 0 });
      expect(await store.findRefreshToken({ id: live.id })).toBeDefined();
      expect(await store.purgeExpired(clock.now(), 0, 100)).toEqual({ visitorTokens: 0, sessions: 0, refreshTokens: 0, successorBoxes: 0 });
    } finally {
      await store.close();
    }
  });
});
