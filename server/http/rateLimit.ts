import type { Request, RequestHandler, Response } from 'express';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { CLIENT_KEY_PATTERN } from '../../contract/index.js';
import type { Config, RateRule } from '../config.js';
import { ApiError } from '../flows/apiError.js';
import { authenticatedKeyOf } from './authenticatedKey.js';
import { clientAddressKey } from './clientAddressKey.js';
import { requestIdOf } from './baseHeaders.js';
import type { SecurityEventLog } from './securityEventLog.js';

/** A named quota: `points` requests per `windowSeconds`, counted per key (fixed window). */
export interface RateLimitPolicy extends RateRule {
  /** Also the policy name in the `RateLimit` headers and the limiter's key prefix. */
  name: string;
}

/**
 * Builds the counter for one policy. The default keeps counts in this process's memory; several
 * instances behind a load balancer pass a factory over a shared store instead (e.g.
 * `RateLimiterRedis`, `RateLimiterPostgres` from rate-limiter-flexible, optionally with an
 * in-memory `insuranceLimiter` for store outages). A backend that rejects with anything other
 * than a `RateLimiterRes` is treated as an unexpected failure (500), never as "allowed".
 */
export type RateLimiterFactory = (policy: RateLimitPolicy) => RateLimiterAbstract;

export const memoryRateLimiters: RateLimiterFactory = (policy) =>
  new RateLimiterMemory({
    keyPrefix: policy.name,
    points: policy.points,
    duration: policy.windowSeconds,
  });

/** Route middleware, in the order each route runs them. */
export interface RouteRateLimits {
  guest: RequestHandler[];
  userToken: RequestHandler[];
  revokeUser: RequestHandler[];
  exchange: RequestHandler[];
  refresh: RequestHandler[];
}

interface LimitSpec {
  policy: RateLimitPolicy;
  route: string;
  /** The counter's key, or undefined when this policy does not apply to the request. */
  keyOf: (req: Request, res: Response) => string | undefined;
  /**
   * Send `RateLimit` on answers that pass. Off for quotas shared with other clients: their
   * remaining count would tell anyone how busy someone else's widget is (ratelimit-headers §8.2).
   */
  advertise: boolean;
  /** Give the point back when the request fails, so refused requests never drain the quota. */
  countSuccessOnly?: boolean;
}

/**
 * IETF httpapi ratelimit-headers, draft-ietf-httpapi-ratelimit-headers-11 (May 2026): both
 * fields are Structured Field Lists of String items with Integer parameters —
 * `RateLimit-Policy: "name";q=60;w=60` and `RateLimit: "name";r=59;t=42`.
 */
const policyItem = (p: RateLimitPolicy) => `"${p.name}";q=${p.points};w=${p.windowSeconds}`;
const limitItem = (p: RateLimitPolicy, remaining: number, resetSeconds: number) =>
  `"${p.name}";r=${remaining};t=${resetSeconds}`;
const secondsUntil = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/** Several policies on one route become one List (RFC 9651 §3.1 allows joining with ", "). */
function appendItem(res: Response, name: string, item: string) {
  const previous = res.getHeader(name);
  res.setHeader(name, previous === undefined ? item : `${String(previous)}, ${item}`);
}

function limit(
  spec: LimitSpec,
  limiter: RateLimiterAbstract,
  events: SecurityEventLog,
): RequestHandler {
  const { policy } = spec;
  const check = async (req: Request, res: Response) => {
    const key = spec.keyOf(req, res);
    if (key === undefined) return;
    let result: RateLimiterRes;
    try {
      result = await limiter.consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfter = Math.max(1, secondsUntil(rejection.msBeforeNext));
      events(requestIdOf(res)).emit({ event: 'rate_limited', route: spec.route, limit: policy.name });
      throw new ApiError('rate_limited', {
        'Retry-After': String(retryAfter),
        'RateLimit-Policy': policyItem(policy),
        RateLimit: limitItem(policy, 0, retryAfter),
      });
    }
    if (spec.advertise) {
      appendItem(res, 'RateLimit-Policy', policyItem(policy));
      appendItem(
        res,
        'RateLimit',
        limitItem(policy, result.remainingPoints, secondsUntil(result.msBeforeNext)),
      );
    }
    if (spec.countSuccessOnly) {
      res.once('finish', () => {
        if (res.statusCode >= 400) limiter.reward(key).catch(() => undefined);
      });
    }
  };
  return (req, res, next) => {
    check(req, res).then(() => next(), next);
  };
}

const byClientAddress = (req: Request) => clientAddressKey(req.ip);

/** The body's client key, only when well-formed: junk keys never create counters. */
function byWidget(req: Request): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || !('client_key' in body)) return undefined;
  const clientKey = body.client_key;
  return typeof clientKey === 'string' && CLIENT_KEY_PATTERN.test(clientKey)
    ? clientKey
    : undefined;
}

/** Runs after authentication, so the key is the authenticated key's id, never caller text. */
function bySecretKey(_req: Request, res: Response): string | undefined {
  return authenticatedKeyOf(res)?.id;
}

/**
 * The rate limits as route middleware. Every 429 goes through the one error mapping
 * (`ApiError('rate_limited')`, "Too many requests") with `Retry-After` and the RateLimit
 * fields; the client address is `req.ip`, i.e. the socket unless `trust proxy` names hops.
 * Guest checks the caller's address before the widget's shared quota, so one address cannot
 * spend the widget's budget beyond its own; the widget quota counts only guests actually
 * minted, so pages on other origins (refused with 403) cannot exhaust it.
 */
export function createRateLimits(
  rules: Config['rateLimits'],
  events: SecurityEventLog,
  factory: RateLimiterFactory = memoryRateLimiters,
): RouteRateLimits {
  if (!rules.enabled) return { guest: [], userToken: [], revokeUser: [], exchange: [], refresh: [] };
  const build = (spec: Omit<LimitSpec, 'policy'> & { name: string; rule: RateRule }) => {
    const policy: RateLimitPolicy = {
      name: spec.name,
      points: spec.rule.points,
      windowSeconds: spec.rule.windowSeconds,
    };
    return limit({ ...spec, policy }, factory(policy), events);
  };
  return {
    guest: [
      build({
        name: 'guest-ip',
        rule: rules.guestPerIp,
        route: 'guest',
        keyOf: byClientAddress,
        advertise: true,
      }),
      build({
        name: 'guest-widget',
        rule: rules.guestPerWidget,
        route: 'guest',
        keyOf: byWidget,
        advertise: false,
        countSuccessOnly: true,
      }),
    ],
    userToken: [
      build({
        name: 'user-token-key',
        rule: rules.userTokenPerKey,
        route: 'user-token',
        keyOf: bySecretKey,
        advertise: true,
      }),
    ],
    // The user-token rule, counted apart: revoking must work while minting is at its limit.
    revokeUser: [
      build({
        name: 'revoke-key',
        rule: rules.userTokenPerKey,
        route: 'revoke',
        keyOf: bySecretKey,
        advertise: true,
      }),
    ],
    exchange: [
      build({
        name: 'exchange-ip',
        rule: rules.exchangePerIp,
        route: 'exchange',
        keyOf: byClientAddress,
        advertise: true,
      }),
    ],
    refresh: [
      build({
        name: 'refresh-ip',
        rule: rules.refreshPerIp,
        route: 'refresh',
        keyOf: byClientAddress,
        advertise: true,
      }),
    ],
  };
}
