import { initServer } from '@ts-rest/express';
import type { NextFunction, Request, Response } from 'express';
import { apiErrors, contract, readinessMessages, type JwkSet } from '../../contract/index.js';
import { authenticateSecretKey } from '../flows/authenticateSecretKey.js';
import type { FlowDeps } from '../flows/deps.js';
import { endSession } from '../flows/endSession.js';
import { exchangeVisitorToken } from '../flows/exchangeVisitorToken.js';
import { getWidgetConfig } from '../flows/getWidgetConfig.js';
import { mintGuestToken } from '../flows/mintGuestToken.js';
import { mintUserToken } from '../flows/mintUserToken.js';
import { refreshSession } from '../flows/refreshSession.js';
import { revokeUserSessions } from '../flows/revokeUserSessions.js';
import { requireMetricsToken, type MetricsAccess } from '../metrics/metricsAccess.js';
import { apiReferencePageAsset, apiReferenceScriptAsset, isFresh, openApiDocumentAsset } from './apiReferenceAssets.js';
import { requireAuthenticatedKey, setAuthenticatedKey } from './authenticatedKey.js';
import { markCacheable } from './baseHeaders.js';
import type { RouteRateLimits } from './rateLimit.js';

const s = initServer();

/** The flows' dependencies with security events tagged with this request's id. */
export type RequestFlowDeps = (res: Response) => FlowDeps;

/** Authentication runs before body validation, so an unauthenticated caller learns nothing about the body rules. */
function requireSecretKey(depsFor: RequestFlowDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    authenticateSecretKey(depsFor(res), req.headers.authorization).then((key) => {
      setAuthenticatedKey(res, key);
      next();
    }, next);
  };
}

export interface RouterOptions {
  /** True while limits meant to be shared are counted per instance; `/readyz` says so. */
  rateLimitsPerInstance: () => boolean;
  /** True from SIGTERM on: `/readyz` fails so the load balancer stops sending traffic. */
  draining: () => boolean;
  /** `/metrics` on the main port; undefined: 404. */
  metrics: MetricsAccess | undefined;
}

/** Thin handlers: request → flow → `{ status, body }`. Errors are thrown and mapped in one place. */
export function createRouter(depsFor: RequestFlowDeps, limits: RouteRateLimits, options: RouterOptions) {
  return s.router(contract, {
    getConfig: async ({ query, req, res }) => {
      const result = await getWidgetConfig(depsFor(res), {
        clientKey: query.client_key,
        origin: req.headers.origin,
        ifNoneMatch: req.headers['if-none-match'],
      });
      res.setHeader('ETag', result.etag);
      markCacheable(res, 60);
      return result.status === 304 ? { status: 304, body: undefined } : { status: 200, body: result.config };
    },
    guest: {
      middleware: limits.guest,
      handler: async ({ body, req, res }) => ({
        status: 200,
        body: await mintGuestToken(depsFor(res), { clientKey: body.client_key, origin: req.headers.origin }),
      }),
    },
    userToken: {
      // Limited per authenticated key: the key id, never text the caller chose.
      middleware: [requireSecretKey(depsFor), ...limits.userToken],
      handler: async ({ body, res }) => ({
        status: 200,
        body: await mintUserToken(depsFor(res), { secretKey: requireAuthenticatedKey(res), body }),
      }),
    },
    exchange: {
      middleware: limits.exchange,
      handler: async ({ body, req, res }) => ({
        status: 200,
        body: await exchangeVisitorToken(depsFor(res), { token: body.token, origin: req.headers.origin }),
      }),
    },
    refresh: {
      middleware: limits.refresh,
      handler: async ({ body, req, res }) => ({
        status: 200,
        body: await refreshSession(depsFor(res), { refreshToken: body.refresh_token, origin: req.headers.origin }),
      }),
    },
    logout: async ({ body, res }) => {
      await endSession(depsFor(res), { refreshToken: body.refresh_token });
      return { status: 204, body: undefined };
    },
    revokeUser: {
      middleware: [requireSecretKey(depsFor), ...limits.revokeUser],
      handler: async ({ body, res }) => ({
        status: 200,
        body: await revokeUserSessions(depsFor(res), { secretKey: requireAuthenticatedKey(res), body }),
      }),
    },
    jwks: async ({ res }) => {
      markCacheable(res, 300);
      const body: JwkSet = depsFor(res).keys.jwks();
      return Promise.resolve({ status: 200, body });
    },
    healthz: async () => Promise.resolve({ status: 200, body: 'ok' as const }),
    readyz: async ({ res }) => {
      if (options.draining()) return { status: 503, body: 'Shutting down' as const };
      try {
        await depsFor(res).store.ping();
      } catch {
        return { status: apiErrors.not_ready.status, body: apiErrors.not_ready.message };
      }
      // Degraded limits are not a reason to take the instance out of the load balancer.
      const body = options.rateLimitsPerInstance() ? readinessMessages.rateLimitsPerInstance : readinessMessages.ready;
      return { status: 200, body };
    },
    metrics: async ({ headers }) => ({
      status: 200,
      body: await requireMetricsToken(options.metrics, headers.authorization).render(),
    }),
    openApiDocument: async ({ req, res }) => {
      const { body, etag } = openApiDocumentAsset();
      const fresh = isFresh(req, res, contract.openApiDocument, etag);
      return Promise.resolve(fresh ? { status: 304, body: undefined } : { status: 200, body });
    },
    apiReference: async ({ req, res }) => {
      const { body, etag } = apiReferencePageAsset();
      const fresh = isFresh(req, res, contract.apiReference, etag);
      return Promise.resolve(fresh ? { status: 304, body: undefined } : { status: 200, body });
    },
    apiReferenceScript: async ({ req, res }) => {
      const { body, etag } = apiReferenceScriptAsset();
      const fresh = isFresh(req, res, contract.apiReferenceScript, etag);
      return Promise.resolve(fresh ? { status: 304, body: undefined } : { status: 200, body });
    },
  });
}
