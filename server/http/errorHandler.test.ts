import { describe } from 'vitest';
import { apiTest as it, BODY_LIMIT, ELSEWHERE, type Api } from '../test-support/apiTest.js';
import { expectTextError } from '../test-support/expectTextError.js';
import { type TestResponse } from '../test-support/http.js';
import { ORIGIN } from '../test-support/origins.js';
import { CONFIG, EXCHANGE, GUEST, REFRESH, USER_TOKEN } from '../test-support/paths.js';

describe('errors are one never-cached text/plain line', () => {
  const errors: {
    name: string;
    run: (api: Api) => Promise<TestResponse>;
    status: number;
    message?: string;
  }[] = [
    {
      name: 'config 400',
      run: ({ call }) => call(CONFIG),
      status: 400,
      message: 'Missing client_key',
    },
    {
      name: 'config 403',
      run: ({ call, configPath }) => call(configPath(), { origin: ELSEWHERE }),
      status: 403,
      message: 'Origin not in allowlist',
    },
    {
      name: 'guest 403',
      run: ({ call, clientKey }) =>
        call(GUEST, { origin: ELSEWHERE, body: { client_key: clientKey } }),
      status: 403,
      message: 'Origin not in allowlist for this client_key',
    },
    {
      name: 'user-token 401',
      run: ({ call }) => call(USER_TOKEN, { body: {} }),
      status: 401,
      message: 'Missing or invalid API key',
    },
    {
      name: 'exchange 400',
      run: ({ call }) => call(EXCHANGE, { origin: ORIGIN, body: {} }),
      status: 400,
      message: 'Missing or expired token',
    },
    {
      name: 'refresh 400',
      run: ({ call }) => call(REFRESH, { origin: ORIGIN, body: {} }),
      status: 400,
      message: 'Missing or expired refresh_token',
    },
    {
      name: 'unknown path 404',
      run: ({ call }) => call('/api/v1/widget/nope'),
      status: 404,
      message: 'Not found',
    },
    { name: 'wrong method 405', run: ({ call }) => call(GUEST), status: 405 },
    {
      name: 'body too large 413',
      run: ({ call }) =>
        call(GUEST, {
          origin: ORIGIN,
          rawBody: ' '.repeat(BODY_LIMIT + 1),
          headers: { 'content-type': 'application/json' },
        }),
      status: 413,
      message: 'Request body too large',
    },
    {
      name: 'not JSON 415',
      run: ({ call }) =>
        call(GUEST, { origin: ORIGIN, rawBody: '{}', headers: { 'content-type': 'text/plain' } }),
      status: 415,
      message: 'Content-Type must be application/json',
    },
  ];
  for (const { name, run, status, message } of errors) {
    it(`answers a ${name} as text/plain; charset=utf-8 with no-store and Pragma: no-cache`, async ({
      api,
    }) => {
      expectTextError(await run(api), status, message);
    });
  }
});
