import { createExpressEndpoints } from '@ts-rest/express';
import express, { type Express } from 'express';
import pino, { type Logger } from 'pino';
import { contract } from '../../contract/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { FlowDeps } from '../flows/deps.js';
import type { SecurityEvents } from '../flows/securityEvents.js';
import { createWidgetDirectory, type WidgetDirectory } from '../flows/widgetDirectory.js';
import type { Store } from '../store/store.js';
import type { KeyRing } from '../tokens/keyRing.js';
import { baseHeaders } from './baseHeaders.js';
import { cors } from './cors.js';
import { createErrorHandler, notFoundOrMethodNotAllowed } from './errorHandler.js';
import { jsonBody } from './jsonBody.js';
import { requestValidationErrorHandler } from './requestValidation.js';
import { createRouter } from './routes.js';

export interface AppDeps {
  store: Store;
  keys: KeyRing;
  clock: Clock;
  config: Config;
  logger?: Logger;
  /** Validate every response against the contract (tests turn this on). */
  responseValidation?: boolean;
  /** How long widget changes made elsewhere (CLI) take to be seen; default 2 s. */
  widgetCacheTtlMs?: number;
}

export interface App {
  express: Express;
  widgets: WidgetDirectory;
}

function securityEventsFor(logger: Logger): SecurityEvents {
  return { emit: (event) => logger.warn(event, event.event) };
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
    events: securityEventsFor(logger),
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

  app.use(baseHeaders);
  app.use(cors);
  app.use(jsonBody);
  createExpressEndpoints(contract, createRouter(flowDeps), app, {
    logInitialization: false,
    jsonQuery: false,
    responseValidation: deps.responseValidation ?? false,
    requestValidationErrorHandler,
  });
  app.use(notFoundOrMethodNotAllowed);
  app.use(createErrorHandler(logger));
  return { express: app, widgets };
}
