import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { createWidget, type CreateWidgetInput } from '../admin/index.js';
import { createManualClock, type ManualClock } from '../clock.js';
import { loadConfig, type Config } from '../config.js';
import type { ContractViolation } from '../http/contractAudit.js';
import { createApp, type App, type AppDeps } from '../http/createApp.js';
import { createLimitedServer, type ServerLimits } from '../http/serverLimits.js';
import { openSqliteStore } from '../store/sqlite/openSqliteStore.js';
import type { Store } from '../store/store.js';
import { openKeyRing, type KeyRing } from '../tokens/keyRing.js';
import { retiredKeyGraceMs } from '../tokens/retiredKeyGrace.js';

export interface TestServer {
  baseUrl: string;
  store: Store;
  keys: KeyRing;
  clock: ManualClock;
  config: Config;
  app: App;
  databaseFile: string;
  /**
   * Answers so far that the contract does not declare (status, content type, error message).
   * `close()` fails the test if any were given.
   */
  contractViolations: readonly ContractViolation[];
  /** Creates a widget through the admin use case (as the CLI does) and returns its keys. */
  createWidget(input?: Partial<CreateWidgetInput>): Promise<{ accountId: string; clientKey: string; secretKey: string }>;
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
}

/**
 * The real app over real HTTP on a real SQLite file, with a clock the test moves. Responses are
 * validated against the contract, so a handler that drifts from it fails the test, and so does
 * any answer with a status the route does not declare (checked on `close()`).
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kataven-test-'));
  const databaseFile = join(dir, 'kataven.sqlite');
  const config = loadConfig({
    KATAVEN_ISSUER: 'http://kataven.test',
    KATAVEN_RATE_LIMITS: 'off',
    KATAVEN_DEMO: 'off',
    ...options.env,
    DATABASE_URL: `file:${databaseFile}`,
  });
  const clock = createManualClock(Date.now());
  const store = await openSqliteStore({ url: config.databaseUrl });
  const keys = await openKeyRing({ store, clock, retiredKeyGraceMs: retiredKeyGraceMs(config) });
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
    ...(options.rateLimitsPerInstance === undefined ? {} : { rateLimitsPerInstance: options.rateLimitsPerInstance }),
  });
  const host = options.host ?? '127.0.0.1';
  const server = createLimitedServer(app.express, options.serverLimits);
  server.listen(options.port ?? 0, host);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    store,
    keys,
    clock,
    config,
    app,
    databaseFile,
    contractViolations,
    async createWidget(input = {}) {
      const created = await createWidget(
        { store, clock },
        { name: 'Test widget', origins: ['https://shop.example.com'], mode: 'live', guestEnabled: true, ...input },
      );
      const accountId = input.accountId ?? created.account_id;
      return { accountId, clientKey: created.client_key, secretKey: created.secret_key ?? '' };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      if (contractViolations.length > 0) {
        const lines = contractViolations.map((v) => `  ${v.method} ${v.path} (${v.route}) → ${v.status}: ${v.problem}`);
        throw new Error(`The server gave answers its contract does not declare:\n${lines.join('\n')}`);
      }
    },
  };
}
