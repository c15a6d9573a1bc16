import { createExpressEndpoints } from '@ts-rest/express';
import express, { type Express } from 'express';
import pino, { type Logger } from 'pino';
import { contract } from '../../contract/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { FlowDeps } from '../flows/deps.js';
import { createWidgetDirectory, type WidgetDirectory } from '../flows/widgetDirectory.js';
import type { Store } from '../store/store.js';
import type { KeyRing } from '../tokens/keyRing.js';
import { requestIdOf } from './baseHeaders.js';
import { contractAudit, type ContractViolation } from './contractAudit.js';
import { edge } from './edge.js';
import { exactRoutes } from './exactRoutes.js';
import { createErrorHandler, notFoundOrMethodNotAllowed } from './errorHandler.js';
import { applyExpressSettings } from './expressSettings.js';
import { createRateLimits, type RateLimiterFactory } from './rateLimit.js';
import { createRequestLog } from './requestLog.js';
import { requestValidationErrorHandler } from './requestValidation.js';
import { watchResponseCompletion } from './responseCompletion.js';
import { createRouter, type RequestFlowDeps } from './routes.js';
import { securityEventLog } from './securityEventLog.js';
import type { Metrics } from '../metrics/createMetrics.js';
import { instrumentStore } from '../metrics/instrumentStore.js';
import { requestMetrics } from '../metrics/requestMetrics.js';
import { withSecurityEventMetrics } from '../metrics/securityEventMetrics.js';

export interface AppDeps {
  store: Store;
  keys: KeyRing;
  clock: Clock;
  config: Config;
  logger?: Logger;
  /** Validate every response against the contract (tests turn this on). */
  responseValidation?: boolean;
  /** Called for every answer the contract does not declare (tests collect and fail on them). */
  onContractViolation?: (violation: ContractViolation) => void;
  /** How long widget changes made elsewhere (CLI) take to be seen; default 2 s. */
  widgetCacheTtlMs?: number;
  /** Counters for the rate limits; in-process memory by default (one instance). */
  rateLimiters?: RateLimiterFactory;
  /**
   * With counters in a shared store: true while it is unreachable and the limits are counted
   * per instance (reported by `/readyz`). Default: never.
   */
  rateLimitsPerInstance?: () => boolean;
  /** Prometheus metrics: requests, security events and store operations are recorded there. */
  metrics?: Metrics;
  /** True from SIGTERM on (`/readyz` answers 503); default: never. */
  draining?: () => boolean;
}

export interface App {
  express: Express;
  widgets: WidgetDirectory;
  /** Stops following admin changes and answers; call before closing the store. */
  close(): void;
}

/** Builds the HTTP application from its dependencies; nothing here reads the environment. */
export function createApp(appDeps: AppDeps): App {
  const { metrics } = appDeps;
  // Instrumented here so the flows' store calls are timed without any of them knowing.
  const deps = metrics ? { ...appDeps, store: instrumentStore(appDeps.store, metrics) } : appDeps;
  const logger = deps.logger ?? pino({ level: 'silent' });
  const widgets = createWidgetDirectory({ store: deps.store, clock: deps.clock, ttlMs: deps.widgetCacheTtlMs ?? 2000 });
  // A widget, key or signing-key change committed anywhere (another instance, the admin CLI)
  // reaches this process within the store's poll interval instead of the cache's TTL.
  const stopFollowingAdminChanges = deps.store.onAdminChange(() => {
    widgets.invalidate();
    deps.keys.reload().catch(() => {
      // The keys already loaded keep serving; the periodic reload and /readyz cover the database.
    });
  });
  const events = metrics ? withSecurityEventMetrics(securityEventLog(logger), metrics) : securityEventLog(logger);
  const shared: Omit<FlowDeps, 'events'> = { store: deps.store, keys: deps.keys, clock: deps.clock, config: deps.config, widgets };
  const depsFor: RequestFlowDeps = (res) => ({ ...shared, events: events(requestIdOf(res)) });
  const requestLog = createRequestLog(logger);
  const completion = watchResponseCompletion(metrics ? [requestLog, requestMetrics(metrics)] : [requestLog]);

  const app = express();
  applyExpressSettings(app, deps.config);

  if (deps.onContractViolation) app.use(contractAudit(contract, deps.onContractViolation));
  app.use(edge(completion));
  const rateLimits = createRateLimits(deps.config.rateLimits, events, deps.rateLimiters);
  const routes = exactRoutes();
  const router = createRouter(depsFor, rateLimits, {
    rateLimitsPerInstance: deps.rateLimitsPerInstance ?? (() => false),
    draining: deps.draining ?? (() => false),
    metrics: metrics && { token: deps.config.metrics.token, render: () => metrics.registry.metrics() },
  });
  createExpressEndpoints(contract, router, routes.registrar, {
    logInitialization: false,
    jsonQuery: false,
    responseValidation: deps.responseValidation ?? false,
    requestValidationErrorHandler,
  });
  app.use(routes.dispatch);
  for (const handler of routes.middleware) app.use(handler);
  app.use(notFoundOrMethodNotAllowed);
  app.use(createErrorHandler(logger, requestLog));
  const close = () => {
    stopFollowingAdminChanges();
    completion.close();
  };
  return { express: app, widgets, close };
}
