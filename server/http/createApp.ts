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
import { baseHeaders } from './baseHeaders.js';
import { contractAudit, type ContractViolation } from './contractAudit.js';
import { cors } from './cors.js';
import { createErrorHandler, notFoundOrMethodNotAllowed } from './errorHandler.js';
import { jsonBody } from './jsonBody.js';
import { createRateLimits, type RateLimiterFactory } from './rateLimit.js';
import { requestContext } from './requestContext.js';
import { requestLog } from './requestLog.js';
import { requestValidationErrorHandler } from './requestValidation.js';
import { createRouter } from './routes.js';
import { securityEventLog } from './securityEventLog.js';

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
}

export interface App {
  express: Express;
  widgets: WidgetDirectory;
}

/** Builds the HTTP application from its dependencies; nothing here reads the environment. */
export function createApp(deps: AppDeps): App {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const widgets = createWidgetDirectory({ store: deps.store, clock: deps.clock, ttlMs: deps.widgetCacheTtlMs ?? 2000 });
  const flowDeps: FlowDeps = {
    store: deps.store,
    keys: deps.keys,
    clock: deps.clock,
    config: deps.config,
    widgets,
    events: securityEventLog(logger),
  };

  const app = express();
  app.disable('x-powered-by');
  // Paths match exactly as the contract spells them: `/Guest` or `/guest/` must not reach a
  // route while skipping the CORS and body checks keyed on the exact path.
  app.set('strict routing', true);
  app.set('case sensitive routing', true);
  // Automatic ETags would hash every token response; config computes its own once per change.
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Hop count, not `true`: only the named proxies' X-Forwarded-For entries are believed.
  app.set('trust proxy', deps.config.trustProxyHops);

  if (deps.onContractViolation) app.use(contractAudit(contract, deps.onContractViolation));
  app.use(baseHeaders);
  app.use(requestLog(logger));
  app.use(cors);
  app.use(jsonBody);
  app.use(requestContext);
  const rateLimits = createRateLimits(deps.config.rateLimits, flowDeps.events, deps.rateLimiters);
  createExpressEndpoints(contract, createRouter(flowDeps, rateLimits), app, {
    logInitialization: false,
    jsonQuery: false,
    responseValidation: deps.responseValidation ?? false,
    requestValidationErrorHandler,
  });
  app.use(notFoundOrMethodNotAllowed);
  app.use(createErrorHandler(logger));
  return { express: app, widgets };
}
