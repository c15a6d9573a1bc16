import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import pino, { type Logger } from 'pino';
import { expect } from 'vitest';
import { createWidget, type CreateWidgetInput } from '../admin/index.js';
import { createManualClock, type ManualClock } from '../clock.js';
import { loadConfig, type Config } from '../config.js';
import type { ContractViolation } from '../http/contractAudit.js';
import { createApp, type App, type AppDeps } from '../http/createApp.js';
import { presetExpressPrototypes } from '../http/presetPrototypes.js';
import { createLimitedServer, type ServerLimits } from '../http/serverLimits.js';
import { openStore } from '../store/openStore.js';
import type { Store } from '../store/store.js';
import { createKeyVault } from '../tokens/keyVault.js';
import { openKeyRing, type KeyRing } from '../tokens/keyRing.js';
import { retiredKeyGraceMs } from '../tokens/retiredKeyGrace.js';
import { openDatabaseInspector, type DatabaseInspector } from './databaseInspector.js';
import { testStoreServerUrl } from './services.js';
import { createTestDatabase } from './testDatabase.js';

/** The keys of a widget created for a test. */
export interface TestWidget {
  accountId: string;
  clientKey: string;
  secretKey: string;
}

export interface TestServer {
  baseUrl: string;
  store: Store;
  keys: KeyRing;
  clock: ManualClock;
  config: Config;
  app: App;
  /** The store's URL (`file:…` or `postgres://…`), for a second instance on the same data. */
  databaseUrl: string;
  /** Direct reads of the store's tables, on either dialect. */
  db: DatabaseInspector;
  /**
   * Answers so far that the contract does not declare (status, content type, error message).
   * `close()` fails the test if any were given.
   */
  contractViolations: readonly ContractViolation[];
  /** Creates a widget through the admin use case (as the CLI does) and returns its keys. */
  createWidget(input?: Partial<CreateWidgetInput>): Promise<TestWidget>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  logger?: Logger;
  /** Widgets are cached; tests that change a widget mid-test can set 0. */
  widgetCacheTtlMs?: number;
  /**
   * Host to listen on and to name in `baseUrl` (default `127.0.0.1`). Browser tests serve their
   * page from `http://127.0.0.1:…` and use `localhost` here, so page and API are two origins.
   */
  host?: string;
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** Connection limits other than the production ones (tests of slow clients use short timeouts). */
  serverLimits?: Partial<ServerLimits>;
  /** Rate-limit counters other than the in-memory default. */
  rateLimiters?: AppDeps['rateLimiters'];
  /** With shared counters: whether they are unreachable right now (for `/readyz`). */
  rateLimitsPerInstance?: AppDeps['rateLimitsPerInstance'];
  /** Prometheus metrics to record into (`/metrics` needs `KATAVEN_METRICS_TOKEN` in `env` too). */
  metrics?: AppDeps['metrics'];
  /** True while the instance is stopping (`/readyz` answers 503). */
  draining?: AppDeps['draining'];
}

/** Names a PostgreSQL test database after the test file that made it, for anyone who finds one left over. */
const databaseLabel = () =>
  basename(expect.getState().testPath ?? 'server').replace(/\.test\.ts$/, '');

/**
 * The real app over real HTTP on its own fresh database — a SQLite file, or a PostgreSQL database
 * when the run has one (`TEST_DATABASE_URL`) — with a clock the test moves. Responses are
 * validated against the contract, so a handler that drifts from it fails the test, and so does
 * any answer with a status the route does not declare (checked on `close()`).
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = await createTestDatabase(testStoreServerUrl(), databaseLabel());
  try {
    return await startOn(database.url, options, () => database.drop());
  } catch (error) {
    await database.drop();
    throw error;
  }
}

async function startOn(
  databaseUrl: string,
  options: TestServerOptions,
  dropDatabase: () => Promise<void>,
): Promise<TestServer> {
  const config = loadConfig({
    KATAVEN_ISSUER: 'http://kataven.test',
    KATAVEN_RATE_LIMITS: 'off',
    KATAVEN_DEMO: 'off',
    ...options.env,
    DATABASE_URL: databaseUrl,
  });
  const clock = createManualClock(Date.now());
  const store = await openStore({ url: config.databaseUrl });
  const keys = await openKeyRing({ store, clock, retiredKeyGraceMs: retiredKeyGraceMs(config), vault: createKeyVault(config.keyEncryption) });
  const contractViolations: ContractViolation[] = [];
  const app = createApp({
    store,
    keys,
    clock,
    config,
    logger: options.logger ?? pino({ level: 'silent' }),
    responseValidation: true,
    onContractViolation: (violation) => contractViolations.push(violation),
    widgetCacheTtlMs: options.widgetCacheTtlMs ?? 0,
    ...(options.rateLimiters === undefined ? {} : { rateLimiters: options.rateLimiters }),
    ...(options.rateLimitsPerInstance === undefined
      ? {}
      : { rateLimitsPerInstance: options.rateLimitsPerInstance }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.draining === undefined ? {} : { draining: options.draining }),
  });
  const host = options.host ?? '127.0.0.1';
  // As main.ts serves it: requests created with the prototypes the app adopts.
  const prototypes = presetExpressPrototypes();
  prototypes?.adopt(app.express);
  const server = createLimitedServer(app.express, options.serverLimits, prototypes);
  server.listen(options.port ?? 0, host);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const db = openDatabaseInspector(databaseUrl);

  return {
    baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    store,
    keys,
    clock,
    config,
    app,
    databaseUrl,
    db,
    contractViolations,
    async createWidget(input = {}) {
      const created = await createWidget(
        { store, clock },
        {
          name: 'Test widget',
          origins: ['https://shop.example.com'],
          mode: 'live',
          guestEnabled: true,
          ...input,
        },
      );
      const accountId = input.accountId ?? created.account_id;
      return { accountId, clientKey: created.client_key, secretKey: created.secret_key ?? '' };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      app.close();
      await db.close();
      await store.close();
      await dropDatabase();
      if (contractViolations.length > 0) {
        const lines = contractViolations.map(
          (v) => `  ${v.method} ${v.path} (${v.route}) → ${v.status}: ${v.problem}`,
        );
        throw new Error(
          `The server gave answers its contract does not declare:\n${lines.join('\n')}`,
        );
      }
    },
  };
}
