import { DEFAULT_SERVER_LIMITS } from '../../server/http/serverLimits.js';
import { collect, poolRequest, type LoadSpec } from './load.js';
import {
  PEER_CLIENT_ID,
  PEER_CLIENT_SECRET,
  PEER_MINT_PATH,
  PEER_RESOURCE,
  PEER_SCOPE,
} from './references/peerClient.js';
import { BENCH_ORIGIN, type BenchWidget } from './seedBenchWidget.js';

export type ServiceTargetId = 'config-200' | 'config-304' | 'guest' | 'guest-4000' | 'user-token' | 'exchange' | 'refresh';
/**
 * A second instance of the service measured beside the default one: on PostgreSQL
 * (`--store postgres`), with `LOG_LEVEL=warn` (the request log's cost), or on a database grown to
 * a million rows per table (`--grown`, on either store), or with its Prometheus metrics on (`--metrics`).
 */
export type TwinName = 'postgres' | 'warn' | 'grown' | 'postgres-grown' | 'metrics';
/** The same endpoint on a twin instance. */
export type TwinTargetId = `${ServiceTargetId}@${TwinName}`;
/**
 * Answers of the service's routes served by Express and ts-rest alone (`references/tsRestFloor.ts`);
 * `stack-floor-signed-4000` is the signed answer at the overload target's 4,000 connections, on a
 * process of its own, with nothing shed and every connection accepted as Node accepts it.
 */
export type StackFloorId = 'stack-floor' | 'stack-floor-signed' | 'stack-floor-signed-4000';
/**
 * `express-preset`: the same bare app with its requests created as the service creates them
 * (presetPrototypes.ts), the ceiling of Express as the service runs it.
 */
export type TargetId = 'express' | 'express-preset' | StackFloorId | ServiceTargetId | TwinTargetId | 'peer-client-credentials' | 'peer-refresh';

export const isStackFloor = (id: TargetId): id is StackFloorId => id === 'stack-floor' || id === 'stack-floor-signed' || id === 'stack-floor-signed-4000';

export type Side = 'reference' | 'peer' | 'kataven';

export interface Target {
  id: TargetId;
  label: string;
  side: Side;
  expectStatus: number;
  /** The peer measurement this endpoint is compared with. */
  peer?: TargetId;
  /** The same answer from Express and ts-rest alone, run whenever this target is. */
  stackFloor?: StackFloorId;
  /** The same endpoint on the instance this twin's measurement is compared with. */
  baseline?: TargetId;
  /** Concurrent connections for this target instead of the run's `--connections`. */
  connections?: number;
  /** The service instance it runs on, when not the default one. */
  instance?: 'overload';
  /** Shortest window for this target: one that opens thousands of connections needs longer to show its steady state. */
  minSeconds?: number;
  /** Each request spends a single-use value minted before the window. */
  singleUse: boolean;
  /** Builds one window's load; single-use targets mint their pool first (outside the window). */
  prepare(window: { seconds: number; estimateRps: number }): Promise<LoadSpec>;
}

/** One running instance of the service and the widget seeded in its database. */
export interface ServiceUnderTest {
  url: string;
  widget: BenchWidget;
  /** The config's current ETag, for the 304 target. */
  etag: string;
}

/** A twin instance and how its rows are labelled. */
export interface Twin {
  name: TwinName;
  /** Appended to each endpoint's label, e.g. `(PostgreSQL)`. */
  label: string;
  service: ServiceUnderTest;
  /** The twin it is compared with; the default instance when absent. */
  baseline?: TwinName;
}

export interface TargetContext {
  /** `stackOverload`: a second ts-rest reference for the 4,000-connection window, present when the overload target runs. */
  urls: { express: string; expressPreset: string; stack: string; stackOverload?: string; peer: string };
  /** The service as `npm start` runs it, on its embedded SQLite store. */
  kataven: ServiceUnderTest;
  /** Each driven in the same window as the instance it is compared with (its baseline). */
  twins: readonly Twin[];
  /**
   * The same shipped configuration in its own process, for the 4,000-connection target: what that
   * load leaves behind (a grown heap, thousands of closed sockets) must not weigh on the others.
   */
  overload?: ServiceUnderTest;
  connections: number;
}

const PATHS = {
  config: '/api/v1/widget/config',
  guest: '/api/v1/widget/auth/guest',
  userToken: '/api/v1/widget/auth/user-token',
  exchange: '/api/v1/widget/auth/exchange',
  refresh: '/api/v1/widget/auth/refresh',
} as const;

/** Far past what one instance serves at once: the load shedding's test. */
const OVERLOAD_CONNECTIONS = 4000;

/** Opening the 4,000 connections and their first burst take the first second or two of a window. */
const OVERLOAD_MIN_SECONDS = 10;

/**
 * The service ends a keep-alive connection after `maxRequestsPerSocket` requests (`Connection:
 * close`, then 503 for anything more on it). Browsers and undici reconnect; autocannon would not,
 * so our targets reconnect at the same count and pay for it as real clients do.
 */
export const RECONNECT = { reconnectRate: DEFAULT_SERVER_LIMITS.maxRequestsPerSocket };

const JSON_FROM_PAGE = { 'content-type': 'application/json', origin: BENCH_ORIGIN };

/** The bench's guest request, as the widget on the benchmark page sends it. */
export const guestRequest = (clientKey: string) => ({
  method: 'POST' as const,
  path: PATHS.guest,
  headers: JSON_FROM_PAGE,
  body: JSON.stringify({ client_key: clientKey }),
});

/** The guest request as a load against the server at `baseUrl`. */
function guestLoadOn(baseUrl: string, clientKey: string) {
  const { path, ...request } = guestRequest(clientKey);
  return { url: `${baseUrl}${path}`, ...request };
}
const PEER_AUTH = `Basic ${Buffer.from(`${PEER_CLIENT_ID}:${PEER_CLIENT_SECRET}`).toString('base64')}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded', authorization: PEER_AUTH };

/** Enough single-use values for about `seconds` at the expected rate, and never fewer than a few per connection. */
const poolSize = (ctx: TargetContext, window: { seconds: number; estimateRps: number }) =>
  Math.max(ctx.connections * 4, Math.round(window.estimateRps * window.seconds));

function mintVisitorTokens(ctx: TargetContext, service: ServiceUnderTest, count: number): Promise<string[]> {
  return collect(
    service.url,
    ctx.connections,
    count,
    guestRequest(service.widget.clientKey),
    (json) => json.token,
    RECONNECT,
  );
}

async function mintRefreshTokens(ctx: TargetContext, service: ServiceUnderTest, count: number): Promise<string[]> {
  const visitorTokens = await mintVisitorTokens(ctx, service, count);
  return collect(
    service.url,
    ctx.connections,
    count,
    poolRequest({ method: 'POST', path: PATHS.exchange, headers: JSON_FROM_PAGE }, visitorTokens, (token) => JSON.stringify({ token })),
    (json) => json.refresh_token,
    RECONNECT,
  );
}

async function mintPeerRefreshTokens(ctx: TargetContext, count: number): Promise<string[]> {
  const res = await fetch(`${ctx.urls.peer}${PEER_MINT_PATH}?count=${count}`, { method: 'POST' });
  if (!res.ok) throw new Error(`peer refresh-token minting answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as string[];
}

type ServiceTarget = Omit<Target, 'id' | 'side'> & { id: ServiceTargetId };

/** The six endpoints measured on one instance of the service. */
function serviceTargets(ctx: TargetContext, service: ServiceUnderTest): Record<ServiceTargetId, ServiceTarget> {
  const { url, widget, etag } = service;
  const guestLoad = ({ seconds }: { seconds: number }): Promise<LoadSpec> =>
    Promise.resolve({ ...RECONNECT, seconds, ...guestLoadOn(url, widget.clientKey) });
  const configPath = `${PATHS.config}?client_key=${widget.clientKey}`;
  return {
    'config-200': {
      id: 'config-200',
      label: 'GET config (200)',
      expectStatus: 200,
      stackFloor: 'stack-floor',
      singleUse: false,
      prepare: ({ seconds }) => Promise.resolve({ ...RECONNECT, seconds, url: `${url}${configPath}`, headers: { origin: BENCH_ORIGIN } }),
    },
    'config-304': {
      id: 'config-304',
      label: 'GET config (304)',
      expectStatus: 304,
      singleUse: false,
      prepare: ({ seconds }) =>
        Promise.resolve({ ...RECONNECT, seconds, url: `${url}${configPath}`, headers: { origin: BENCH_ORIGIN, 'if-none-match': etag } }),
    },
    guest: { id: 'guest', label: 'POST guest', expectStatus: 200, stackFloor: 'stack-floor-signed', singleUse: false, prepare: guestLoad },
    'guest-4000': {
      id: 'guest-4000',
      label: 'POST guest, 4,000 connections (overload)',
      expectStatus: 200,
      singleUse: false,
      connections: OVERLOAD_CONNECTIONS,
      minSeconds: OVERLOAD_MIN_SECONDS,
      stackFloor: 'stack-floor-signed-4000',
      prepare: guestLoad,
    },
    'user-token': {
      id: 'user-token',
      label: 'POST user-token',
      expectStatus: 200,
      peer: 'peer-client-credentials',
      stackFloor: 'stack-floor-signed',
      singleUse: false,
      prepare: ({ seconds }) =>
        Promise.resolve({
          ...RECONNECT,
          seconds,
          url: `${url}${PATHS.userToken}`,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${widget.secretKey}` },
          body: JSON.stringify({
            client_key: widget.clientKey,
            user_id: 'u_123',
            name: 'Ada',
            email: 'ada@example.com',
            metadata: { plan: 'pro' },
          }),
        }),
    },
    exchange: {
      id: 'exchange',
      label: 'POST exchange',
      expectStatus: 200,
      stackFloor: 'stack-floor-signed',
      singleUse: true,
      prepare: async (window) => {
        const amount = poolSize(ctx, window);
        const pool = await mintVisitorTokens(ctx, service, amount);
        return {
          ...RECONNECT,
          amount,
          url,
          requests: [poolRequest({ method: 'POST', path: PATHS.exchange, headers: JSON_FROM_PAGE }, pool, (token) => JSON.stringify({ token }))],
        };
      },
    },
    refresh: {
      id: 'refresh',
      label: 'POST refresh',
      expectStatus: 200,
      peer: 'peer-refresh',
      stackFloor: 'stack-floor-signed',
      singleUse: true,
      prepare: async (window) => {
        const amount = poolSize(ctx, window);
        const pool = await mintRefreshTokens(ctx, service, amount);
        return {
          ...RECONNECT,
          amount,
          url,
          requests: [
            poolRequest({ method: 'POST', path: PATHS.refresh, headers: JSON_FROM_PAGE }, pool, (token) =>
              JSON.stringify({ refresh_token: token }),
            ),
          ],
        };
      },
    },
  };
}

/**
 * Every measured target, in the order a round runs them: references interleaved with ours, and
 * each twin right after the default instance's same endpoint (the two are measured in one window).
 */
export function benchTargets(ctx: TargetContext): Target[] {
  const { express, expressPreset, stack, stackOverload, peer } = ctx.urls;
  const defaults = serviceTargets(ctx, ctx.kataven);
  const twins = ctx.twins.map((twin) => ({ twin, targets: serviceTargets(ctx, twin.service) }));
  const service = (id: ServiceTargetId): Target[] => [
    { ...defaults[id], side: 'kataven' },
    ...twins.map(({ twin, targets }): Target => ({
      ...targets[id],
      id: `${id}@${twin.name}`,
      label: `${targets[id].label} (${twin.label})`,
      side: 'kataven',
      baseline: twin.baseline === undefined ? id : `${id}@${twin.baseline}`,
    })),
  ];
  return [
    {
      id: 'express',
      label: 'bare Express 5 JSON',
      side: 'reference',
      expectStatus: 200,
      singleUse: false,
      prepare: ({ seconds }) => Promise.resolve({ seconds, url: `${express}/json` }),
    },
    {
      id: 'express-preset',
      label: 'bare Express 5 JSON, served as the service is',
      side: 'reference',
      expectStatus: 200,
      singleUse: false,
      prepare: ({ seconds }) => Promise.resolve({ seconds, url: `${expressPreset}/json` }),
    },
    {
      id: 'stack-floor',
      label: "ts-rest on Express 5, config 200's answer",
      side: 'reference',
      expectStatus: 200,
      singleUse: false,
      prepare: ({ seconds }) =>
        Promise.resolve({ seconds, url: `${stack}${PATHS.config}?client_key=${ctx.kataven.widget.clientKey}`, headers: { origin: BENCH_ORIGIN } }),
    },
    ...service('config-200'),
    ...service('config-304'),
    {
      id: 'stack-floor-signed',
      label: 'ts-rest on Express 5, a POST answered with one ES256 token',
      side: 'reference',
      expectStatus: 200,
      // The peer's client_credentials grant also answers with one ES256 JWT: the most user-token can reach against it.
      peer: 'peer-client-credentials',
      singleUse: false,
      prepare: ({ seconds }) => Promise.resolve({ seconds, ...guestLoadOn(stack, ctx.kataven.widget.clientKey) }),
    },
    ...service('guest'),
    ...(stackOverload === undefined
      ? []
      : [
          {
            id: 'stack-floor-signed-4000' as const,
            label: 'ts-rest on Express 5, a POST answered with one ES256 token, 4,000 connections',
            side: 'reference' as const,
            expectStatus: 200,
            singleUse: false,
            connections: OVERLOAD_CONNECTIONS,
            minSeconds: OVERLOAD_MIN_SECONDS,
            prepare: ({ seconds }: { seconds: number }) => Promise.resolve({ ...RECONNECT, seconds, ...guestLoadOn(stackOverload, ctx.kataven.widget.clientKey) }),
          },
        ]),
    // Overload is the default configuration's behaviour; the twins would only repeat it.
    { ...serviceTargets(ctx, ctx.overload ?? ctx.kataven)['guest-4000'], side: 'kataven', ...(ctx.overload && { instance: 'overload' as const }) },
    {
      id: 'peer-client-credentials',
      label: 'oidc-provider client_credentials (ES256 JWT)',
      side: 'peer',
      expectStatus: 200,
      singleUse: false,
      prepare: ({ seconds }) =>
        Promise.resolve({
          seconds,
          url: `${peer}/token`,
          method: 'POST',
          headers: FORM,
          body: new URLSearchParams({ grant_type: 'client_credentials', resource: PEER_RESOURCE, scope: PEER_SCOPE }).toString(),
        }),
    },
    ...service('user-token'),
    ...service('exchange'),
    {
      id: 'peer-refresh',
      label: 'oidc-provider refresh_token (rotating)',
      side: 'peer',
      expectStatus: 200,
      singleUse: true,
      prepare: async (window) => {
        const amount = poolSize(ctx, window);
        const pool = await mintPeerRefreshTokens(ctx, amount);
        return {
          amount,
          url: peer,
          requests: [
            poolRequest({ method: 'POST', path: '/token', headers: FORM }, pool, (token) =>
              new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
            ),
          ],
        };
      },
    },
    ...service('refresh'),
  ];
}
