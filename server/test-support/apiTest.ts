import { expect } from 'vitest';
import { visitorBody } from './flowsHelpers.js';
import { request, type TestRequest, type TestResponse } from './http.js';
import { ORIGIN } from './origins.js';
import { CONFIG, EXCHANGE, GUEST, JWKS, LOGOUT, REFRESH, USER_TOKEN } from './paths.js';
import { serverTest } from './serverTest.js';

/** An origin no widget of the tests allows. */
export const ELSEWHERE = 'https://not-in-any-allowlist.example';
/** The JSON body limit, in bytes. */
export const BODY_LIMIT = 16 * 1024;

/** The cross-origin routes and the method each serves. */
export const CORS_ROUTES = [
  { path: CONFIG, method: 'GET' },
  { path: GUEST, method: 'POST' },
  { path: EXCHANGE, method: 'POST' },
  { path: REFRESH, method: 'POST' },
  { path: LOGOUT, method: 'POST' },
] as const;

/** Requests to the test's server, for its default widget. */
export interface Api {
  call: (path: string, init?: TestRequest) => Promise<TestResponse>;
  /** The config path for the widget. */
  configPath: () => string;
  /** A guest visitor token, minted from the allowed origin. */
  guestToken: () => Promise<string>;
  /** A 200 exchange answer: a new guest session. */
  session: () => Promise<TestResponse>;
  clientKey: string;
  secretKey: string;
}

/** `serverTest` with `api`: calls to the server for its default widget. */
export const apiTest = serverTest.extend('api', ({ server, widget }): Api => {
  const { clientKey, secretKey } = widget;
  const call = (path: string, init: TestRequest = {}) => request(server.baseUrl, path, init);
  const guestToken = async () => {
    const res = await call(GUEST, { origin: ORIGIN, body: { client_key: clientKey } });
    expect(res.status, res.text).toBe(200);
    return visitorBody(res).token;
  };
  return {
    call,
    configPath: () => `${CONFIG}?client_key=${clientKey}`,
    guestToken,
    session: async () => {
      const res = await call(EXCHANGE, { origin: ORIGIN, body: { token: await guestToken() } });
      expect(res.status, res.text).toBe(200);
      return res;
    },
    clientKey,
    secretKey,
  };
});

/** A comma-separated header as lower-case items. */
export function listOf(header: string | null): string[] {
  return (header ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '');
}

/** One request of each kind the service answers: success, every error class, preflight. */
export const SAMPLES: { name: string; run: (api: Api) => Promise<TestResponse> }[] = [
  { name: 'a config 200', run: ({ call, configPath }) => call(configPath(), { origin: ORIGIN }) },
  { name: 'a config 400', run: ({ call }) => call(`${CONFIG}?client_key=nope`, { origin: ORIGIN }) },
  {
    name: 'a config 403',
    run: ({ call, configPath }) => call(configPath(), { origin: ELSEWHERE }),
  },
  {
    name: 'a guest 200',
    run: ({ call, clientKey }) => call(GUEST, { origin: ORIGIN, body: { client_key: clientKey } }),
  },
  {
    name: 'a guest 404',
    run: ({ call }) =>
      call(GUEST, { origin: ORIGIN, body: { client_key: `pk_live_${'N'.repeat(24)}` } }),
  },
  {
    name: 'a user-token 200',
    run: ({ call, clientKey, secretKey }) =>
      call(USER_TOKEN, {
        body: { client_key: clientKey, user_id: 'u_1' },
        headers: { authorization: `Bearer ${secretKey}` },
      }),
  },
  {
    name: 'a user-token 401',
    run: ({ call, clientKey }) =>
      call(USER_TOKEN, { body: { client_key: clientKey, user_id: 'u_1' } }),
  },
  {
    name: 'an exchange 400',
    run: ({ call }) => call(EXCHANGE, { origin: ORIGIN, body: { token: 'x' } }),
  },
  {
    name: 'a refresh 400',
    run: ({ call }) => call(REFRESH, { origin: ORIGIN, body: { refresh_token: 'rt_x' } }),
  },
  {
    name: 'a logout 204',
    run: ({ call }) => call(LOGOUT, { origin: ORIGIN, body: { refresh_token: 'rt_x' } }),
  },
  { name: 'a 404 for an unknown path', run: ({ call }) => call('/nope') },
  { name: 'a 405 for a wrong method', run: ({ call }) => call(CONFIG, { method: 'DELETE' }) },
  {
    name: 'a 413',
    run: ({ call }) =>
      call(GUEST, {
        origin: ORIGIN,
        rawBody: 'x'.repeat(BODY_LIMIT + 1),
        headers: { 'content-type': 'application/json' },
      }),
  },
  {
    name: 'a 415',
    run: ({ call }) =>
      call(GUEST, { origin: ORIGIN, rawBody: '{}', headers: { 'content-type': 'text/plain' } }),
  },
  {
    name: 'a preflight',
    run: ({ call }) =>
      call(GUEST, {
        method: 'OPTIONS',
        origin: ORIGIN,
        headers: { 'access-control-request-method': 'POST' },
      }),
  },
  {
    name: 'a user-token OPTIONS',
    run: ({ call }) => call(USER_TOKEN, { method: 'OPTIONS', origin: ORIGIN }),
  },
  { name: 'healthz', run: ({ call }) => call('/healthz') },
  { name: 'readyz', run: ({ call }) => call('/readyz') },
  { name: 'the JWKS', run: ({ call }) => call(JWKS) },
];
