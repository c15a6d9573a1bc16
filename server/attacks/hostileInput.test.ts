/**
 * Hostile request bodies and queries (OWASP ASVS v5 V1/V2 input handling):
 * malformed and duplicate-key JSON, prototype-pollution payloads, deep nesting, wrong types, NUL
 * and lone surrogates, numbers where strings belong, and unknown fields that try to set what only
 * the server decides. Each answers the exact status and message, never a 5xx, and the service
 * keeps working.
 */
import { describe, expect } from 'vitest';
import { expectServiceWorks } from '../test-support/attacker.js';
import {
  MSG_REFRESH,
  MSG_TOKEN,
  ORIGIN,
  PATHS,
  guestSession,
  guestToken,
  refresh,
  sessionBody,
  visitorBody,
  exchange,
} from '../test-support/flowsHelpers.js';
import { request, type TestResponse } from '../test-support/http.js';
import { serverTest } from '../test-support/serverTest.js';
import { decodeJwtParts } from '../test-support/decodeJwtParts.js';
import { expectTextError } from '../test-support/expectTextError.js';

const INVALID_JSON = 'Invalid JSON body';
const MISSING_CLIENT_KEY = 'Missing client_key';
const INVALID_CLIENT_KEY = 'Invalid client_key';
const MISSING_USER = 'Missing client_key or user_id';
const EVIL = 'https://evil.example.net';

type Route = 'guest' | 'userToken' | 'exchange' | 'refresh' | 'logout';

/** What each POST route answers to a body that is JSON but not an object with its required field. */
const MISSING_FIELD: Record<Route, string> = {
  guest: MISSING_CLIENT_KEY,
  userToken: MISSING_USER,
  exchange: MSG_TOKEN,
  refresh: MSG_REFRESH,
  logout: MSG_REFRESH,
};

/** `post` and `postJson` send a raw body to a route of the file's server, from the widget's origin. */
const it = serverTest
  .extend(
    'post',
    ({ server, widget }) =>
      (
        route: Route,
        rawBody: string | Buffer,
        contentType = 'application/json',
      ): Promise<TestResponse> => {
        const headers: Record<string, string> = { 'content-type': contentType };
        if (route === 'userToken') headers.authorization = `Bearer ${widget.secretKey}`;
        return request(server.baseUrl, PATHS[route], {
          method: 'POST',
          origin: ORIGIN,
          rawBody: typeof rawBody === 'string' ? rawBody : rawBody.toString('latin1'),
          headers,
        });
      },
  )
  .extend(
    'postJson',
    ({ post }) =>
      (route: Route, body: unknown) =>
        post(route, JSON.stringify(body)),
  );

it.afterEach(async ({ server, widget }) => {
  await expectServiceWorks(server, widget.clientKey);
  const probe: Record<string, unknown> = {};
  expect(probe.polluted).toBeUndefined();
  expect(probe.isAdmin).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
});

describe('malformed JSON: 400 "Invalid JSON body" on every POST route', () => {
  const bodies: [string, string][] = [
    ['an unterminated object', '{'],
    ['a missing value', '{"client_key": }'],
    ['single quotes', "{'client_key': 'pk_live_x'}"],
    ['a trailing comma', '{"client_key": "pk_live_x",}'],
    ['NaN', '{"client_key": NaN}'],
    ['Infinity', '{"n": Infinity}'],
    ['a hexadecimal number', '{"n": 0x10}'],
    ['a comment', '{"client_key": "x"} // comment'],
    ['two documents', '{"a": 1}{"b": 2}'],
    ['an unescaped control character in a string', '{"client_key": "a\u0001b"}'],
    ['an invalid escape', '{"client_key": "\\x41"}'],
    ['a top-level string', '"pk_live_x"'],
    ['a top-level number', '42'],
    ['a top-level null', 'null'],
    ['a top-level true', 'true'],
    ['16000 unclosed brackets', '['.repeat(16_000)],
  ];
  for (const route of ['guest', 'userToken', 'exchange', 'refresh', 'logout'] as const) {
    for (const [name, body] of bodies) {
      it(`${route}: refuses ${name}`, async ({ post }) => {
        expectTextError(await post(route, body), 400, INVALID_JSON);
      });
    }
  }
});

describe('JSON that is not the expected object: 400 with the route\'s "missing" message', () => {
  const bodies: [string, string][] = [
    ['an empty object', '{}'],
    ['an empty array', '[]'],
    [
      'an array holding the right object',
      '[{"client_key": "pk_live_x", "token": "x", "refresh_token": "x", "user_id": "u"}]',
    ],
    ['8000 nested arrays', `${'['.repeat(8000)}${']'.repeat(8000)}`],
    ['2500 nested objects', `${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}`],
  ];
  for (const route of ['guest', 'userToken', 'exchange', 'refresh', 'logout'] as const) {
    for (const [name, body] of bodies) {
      it(`${route}: refuses ${name} with "${MISSING_FIELD[route]}"`, async ({ post }) => {
        expectTextError(await post(route, body), 400, MISSING_FIELD[route]);
      });
    }
  }
});

describe('duplicate keys: the last one wins, consistently, and nothing is spent by the other', () => {
  it('guest: a valid key followed by an unknown one is judged on the unknown one', async ({
    widget: { clientKey },
    post,
  }) => {
    expectTextError(
      await post(
        'guest',
        `{"client_key": "${clientKey}", "client_key": "pk_live_${'D'.repeat(24)}"}`,
      ),
      404,
      'Unknown client_key',
    );
  });

  it('exchange: a valid token followed by garbage is refused and the valid token stays unspent', async ({
    server,
    widget: { clientKey },
    post,
  }) => {
    const { token } = await guestToken(server, clientKey);
    expectTextError(
      await post('exchange', `{"token": "${token}", "token": "garbage"}`),
      400,
      MSG_TOKEN,
    );
    sessionBody(await exchange(server, token, ORIGIN));
  });

  it('refresh: a valid refresh token followed by garbage is refused and the valid one stays unspent', async ({
    server,
    widget: { clientKey },
    post,
  }) => {
    const session = await guestSession(server, clientKey);
    expectTextError(
      await post(
        'refresh',
        `{"refresh_token": "${session.refresh_token}", "refresh_token": "rt_x"}`,
      ),
      400,
      MSG_REFRESH,
    );
    sessionBody(await refresh(server, session.refresh_token, ORIGIN));
  });

  it('user-token: a string user_id followed by a number is refused', async ({
    widget: { clientKey },
    post,
  }) => {
    expectTextError(
      await post('userToken', `{"client_key": "${clientKey}", "user_id": "u_1", "user_id": 5}`),
      400,
      'user_id must be a string',
    );
  });
});

describe('prototype pollution (__proto__, constructor.prototype)', () => {
  it('guest: fields hidden under __proto__ are not read', async ({
    widget: { clientKey },
    post,
  }) => {
    expectTextError(
      await post('guest', `{"__proto__": {"client_key": "${clientKey}"}}`),
      400,
      MISSING_CLIENT_KEY,
    );
  });

  it('exchange: a token hidden under __proto__ is not read', async ({
    server,
    widget: { clientKey },
    post,
  }) => {
    const { token } = await guestToken(server, clientKey);
    expectTextError(await post('exchange', `{"__proto__": {"token": "${token}"}}`), 400, MSG_TOKEN);
  });

  it('refresh: a refresh token hidden under constructor.prototype is not read', async ({
    server,
    widget: { clientKey },
    post,
  }) => {
    const session = await guestSession(server, clientKey);
    expectTextError(
      await post(
        'refresh',
        `{"constructor": {"prototype": {"refresh_token": "${session.refresh_token}"}}}`,
      ),
      400,
      MSG_REFRESH,
    );
  });

  it('user-token: __proto__ and constructor at the top level are ignored and pollute nothing', async ({
    widget: { clientKey },
    post,
  }) => {
    const res = await post(
      'userToken',
      `{"client_key": "${clientKey}", "user_id": "u_1", "__proto__": {"isAdmin": true, "polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}`,
    );
    const { payload } = decodeJwtParts(visitorBody(res).token);
    expect(payload).not.toHaveProperty('isAdmin');
  });

  it('user-token: a __proto__ metadata key does not reach the token or any prototype', async ({
    widget: { clientKey },
    post,
  }) => {
    const res = await post(
      'userToken',
      `{"client_key": "${clientKey}", "user_id": "u_1", "metadata": {"__proto__": {"polluted": 1}, "plan": "pro"}}`,
    );
    expect(decodeJwtParts(visitorBody(res).token).payload.metadata).toStrictEqual({ plan: 'pro' });
  });

  it('user-token: a constructor.prototype metadata value is refused', async ({
    widget: { clientKey },
    post,
  }) => {
    const res = await post(
      'userToken',
      `{"client_key": "${clientKey}", "user_id": "u_1", "metadata": {"constructor": {"prototype": {"polluted": 1}}}}`,
    );
    expectTextError(
      res,
      400,
      'metadata values must be strings (at most 500 characters, well-formed Unicode), numbers or booleans',
    );
  });

  it('user-token: metadata keys named like Object.prototype members round-trip as plain data', async ({
    server,
    widget: { clientKey },
    postJson,
  }) => {
    const metadata = {
      toString: 'a',
      hasOwnProperty: 'b',
      valueOf: 1,
      constructor: true,
      isPrototypeOf: 'c',
    };
    const res = await postJson('userToken', { client_key: clientKey, user_id: 'u_1', metadata });
    const user = visitorBody(res);
    expect(decodeJwtParts(user.token).payload.metadata).toStrictEqual(metadata);
    expect(
      decodeJwtParts(sessionBody(await exchange(server, user.token, ORIGIN)).token).payload.metadata,
    ).toStrictEqual(metadata);
  });

  it('config: __proto__ in the query string is not a client_key and pollutes nothing', async ({
    server,
    widget: { clientKey },
  }) => {
    const res = await request(
      server.baseUrl,
      `/api/v1/widget/config?__proto__[client_key]=${clientKey}&__proto__=x&constructor[prototype][polluted]=1`,
    );
    expectTextError(res, 400, MISSING_CLIENT_KEY);
  });
});

describe("wrong types: 400 with the field's message", () => {
  const cases: [Route, string, Record<string, unknown>, string][] = [
    ['guest', 'a numeric client_key', { client_key: 42 }, INVALID_CLIENT_KEY],
    ['guest', 'a zero client_key', { client_key: 0 }, INVALID_CLIENT_KEY],
    ['guest', 'a boolean client_key', { client_key: true }, INVALID_CLIENT_KEY],
    ['guest', 'a null client_key', { client_key: null }, INVALID_CLIENT_KEY],
    ['guest', 'an array client_key', { client_key: ['pk_live_x'] }, INVALID_CLIENT_KEY],
    ['guest', 'an object client_key', { client_key: { $ne: null } }, INVALID_CLIENT_KEY],
    ['guest', 'an empty client_key', { client_key: '' }, MISSING_CLIENT_KEY],
    ['exchange', 'a numeric token', { token: 12345 }, MSG_TOKEN],
    ['exchange', 'a null token', { token: null }, MSG_TOKEN],
    ['exchange', 'an array token', { token: ['a.b.c'] }, MSG_TOKEN],
    ['exchange', 'an object token', { token: { $gt: '' } }, MSG_TOKEN],
    ['exchange', 'an empty token', { token: '' }, MSG_TOKEN],
    ['refresh', 'a numeric refresh_token', { refresh_token: 1 }, MSG_REFRESH],
    ['refresh', 'a boolean refresh_token', { refresh_token: true }, MSG_REFRESH],
    ['refresh', 'an object refresh_token', { refresh_token: { $ne: null } }, MSG_REFRESH],
    [
      'refresh',
      'a refresh_token over 512 characters',
      { refresh_token: `rt_${'a'.repeat(600)}` },
      MSG_REFRESH,
    ],
    ['logout', 'an array refresh_token', { refresh_token: ['rt_x'] }, MSG_REFRESH],
    ['userToken', 'a numeric user_id', { user_id: 123 }, 'user_id must be a string'],
    [
      'userToken',
      'a huge numeric user_id',
      { user_id: 12345678901234567890 },
      'user_id must be a string',
    ],
    ['userToken', 'a null user_id', { user_id: null }, 'user_id must be a string'],
    ['userToken', 'an object user_id', { user_id: { id: 1 } }, 'user_id must be a string'],
    ['userToken', 'a numeric name', { user_id: 'u', name: 5 }, 'name must be a string'],
    [
      'userToken',
      'a numeric email',
      { user_id: 'u', email: 5 },
      'email must be a valid email address',
    ],
    [
      'userToken',
      'an array metadata',
      { user_id: 'u', metadata: ['plan'] },
      'metadata must be an object',
    ],
    [
      'userToken',
      'a string metadata',
      { user_id: 'u', metadata: 'plan=pro' },
      'metadata must be an object',
    ],
  ];
  for (const [route, name, fields, message] of cases) {
    it(`${route}: refuses ${name} with "${message}"`, async ({
      widget: { clientKey },
      postJson,
    }) => {
      const base = route === 'userToken' ? { client_key: clientKey } : {};
      expectTextError(await postJson(route, { ...base, ...fields }), 400, message);
    });
  }
});

describe('NUL, control characters and lone surrogates in strings', () => {
  const cases: [Route, string, string, string][] = [
    [
      'guest',
      'a NUL inside client_key',
      `{"client_key": "pk_live_abc\\u0000defghijk"}`,
      INVALID_CLIENT_KEY,
    ],
    [
      'guest',
      'a lone surrogate inside client_key',
      `{"client_key": "pk_live_abcdefgh\\ud800"}`,
      INVALID_CLIENT_KEY,
    ],
    ['exchange', 'a NUL token', `{"token": "\\u0000"}`, MSG_TOKEN],
    ['exchange', 'a lone surrogate token', `{"token": "a.b.\\udfff"}`, MSG_TOKEN],
    ['refresh', 'a NUL refresh_token', `{"refresh_token": "rt_\\u0000"}`, MSG_REFRESH],
    ['refresh', 'a lone surrogate refresh_token', `{"refresh_token": "rt_\\ud800"}`, MSG_REFRESH],
    [
      'userToken',
      'a NUL in user_id',
      `{"client_key": "CK", "user_id": "u\\u0000"}`,
      'user_id must contain only printable characters',
    ],
    [
      'userToken',
      'a lone high surrogate in user_id',
      `{"client_key": "CK", "user_id": "u\\ud800"}`,
      'user_id must contain only printable characters',
    ],
    [
      'userToken',
      'a lone low surrogate in name',
      `{"client_key": "CK", "user_id": "u", "name": "\\udc00"}`,
      'name must contain only printable characters',
    ],
    [
      'userToken',
      'a NUL in email',
      `{"client_key": "CK", "user_id": "u", "email": "a\\u0000@example.com"}`,
      'email must be a valid email address',
    ],
    [
      'userToken',
      'a lone surrogate in a metadata key',
      `{"client_key": "CK", "user_id": "u", "metadata": {"k\\ud800": "v"}}`,
      'metadata keys must be 1-40 printable characters',
    ],
    [
      'userToken',
      'a NUL in a metadata key',
      `{"client_key": "CK", "user_id": "u", "metadata": {"k\\u0000": "v"}}`,
      'metadata keys must be 1-40 printable characters',
    ],
    [
      'userToken',
      'a lone surrogate in a metadata value',
      `{"client_key": "CK", "user_id": "u", "metadata": {"k": "v\\udbff"}}`,
      'metadata values must be strings (at most 500 characters, well-formed Unicode), numbers or booleans',
    ],
  ];
  for (const [route, name, body, message] of cases) {
    it(`${route}: refuses ${name} with "${message}"`, async ({ widget: { clientKey }, post }) => {
      expectTextError(await post(route, body.replace('"CK"', `"${clientKey}"`)), 400, message);
    });
  }

  it('user-token: accepts well-formed non-ASCII (an astral emoji pair) and keeps it intact in the token', async ({
    widget: { clientKey },
    postJson,
  }) => {
    const res = await postJson('userToken', {
      client_key: clientKey,
      user_id: 'usuário_😀',
      metadata: { note: 'naïve 😀' },
    });
    const { payload } = decodeJwtParts(visitorBody(res).token);
    expect(payload).toMatchObject({ user_id: 'usuário_😀', metadata: { note: 'naïve 😀' } });
  });

  it('guest: a body that is not valid UTF-8 is refused without a 5xx', async ({ post }) => {
    const body = Buffer.concat([
      Buffer.from('{"client_key": "pk_live_'),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from('abcdefgh"}'),
    ]);
    expectTextError(await post('guest', body), 400, INVALID_CLIENT_KEY);
  });
});

describe('numbers where strings belong', () => {
  const numbers = ['1e999', '-1e999', '1e-999', '-0', '123456789012345678901234567890', '0.1e1'];
  for (const number of numbers) {
    it(`guest: refuses ${number} as client_key with "Invalid client_key"`, async ({ post }) => {
      expectTextError(await post('guest', `{"client_key": ${number}}`), 400, INVALID_CLIENT_KEY);
    });
    it(`exchange: refuses ${number} as token with "${MSG_TOKEN}"`, async ({ post }) => {
      expectTextError(await post('exchange', `{"token": ${number}}`), 400, MSG_TOKEN);
    });
  }

  it('user-token: refuses an infinite metadata number', async ({ widget: { clientKey }, post }) => {
    expectTextError(
      await post(
        'userToken',
        `{"client_key": "${clientKey}", "user_id": "u", "metadata": {"n": 1e999}}`,
      ),
      400,
      'metadata values must be strings (at most 500 characters, well-formed Unicode), numbers or booleans',
    );
  });
});

describe('unknown fields never change behaviour', () => {
  it('guest: visitor_id, sub, exp, iat, origin, kind, user_id, aud and iss in the body are not honoured', async ({
    server,
    widget: { clientKey },
    postJson,
  }) => {
    const res = await postJson('guest', {
      client_key: clientKey,
      visitor_id: 'vis_attackerchosen0000000',
      sub: 'vis_attackerchosen0000000',
      exp: 4_102_444_800,
      iat: 4_102_444_000,
      origin: EVIL,
      kind: 'user',
      user_id: 'admin',
      aud: 'kataven:connect',
      iss: EVIL,
    });
    const body = visitorBody(res);
    const { payload } = decodeJwtParts(body.token);
    expect(body.visitor_id).not.toBe('vis_attackerchosen0000000');
    expect(payload).toMatchObject({
      kind: 'guest',
      origin: ORIGIN,
      aud: 'kataven:widget-exchange',
      iss: server.config.issuer,
    });
    expect(payload).not.toHaveProperty('user_id');
    expect(Number(payload.exp) - Number(payload.iat)).toBe(120);
  });

  it('user-token: identity and token fields beside the user are not honoured', async ({
    widget: { clientKey },
    postJson,
  }) => {
    const res = await postJson('userToken', {
      client_key: clientKey,
      user_id: 'u_1',
      visitor_id: 'vis_attackerchosen0000000',
      kind: 'guest',
      origin: EVIL,
      exp: 4_102_444_800,
      aud: 'kataven:connect',
      typ: 'at+jwt',
      account_id: 'acc_other',
    });
    const { header, payload } = decodeJwtParts(visitorBody(res).token);
    expect(header.typ).toBe('visitor+jwt');
    expect(payload).toMatchObject({ kind: 'user', user_id: 'u_1', aud: 'kataven:widget-exchange' });
    expect(payload).not.toHaveProperty('origin');
    expect(Number(payload.exp) - Number(payload.iat)).toBe(120);
  });

  it('exchange: origin, client_key, user_id and kind in the body do not bind the session', async ({
    server,
    widget: { clientKey },
    postJson,
  }) => {
    const other = await server.createWidget({ origins: [EVIL] });
    const { token } = await guestToken(server, clientKey);
    const res = await postJson('exchange', {
      token,
      origin: EVIL,
      client_key: other.clientKey,
      user_id: 'admin',
      kind: 'user',
      expires_in: 1e9,
    });
    const session = sessionBody(res);
    expect(session.visitor).toMatchObject({ kind: 'guest', user_id: null });
    expect(decodeJwtParts(session.token).payload).toMatchObject({
      origin: ORIGIN,
      client_id: clientKey,
      kind: 'guest',
    });
    expect(session.expires_in).toBe(900);
  });

  it('refresh: origin, sid and user_id in the body do not move or widen the session', async ({
    server,
    widget: { clientKey },
    postJson,
  }) => {
    const session = await guestSession(server, clientKey);
    const res = await postJson('refresh', {
      refresh_token: session.refresh_token,
      origin: EVIL,
      sid: 'ses_other',
      user_id: 'admin',
    });
    const next = sessionBody(res);
    expect(decodeJwtParts(next.token).payload).toMatchObject({
      origin: ORIGIN,
      sid: decodeJwtParts(session.token).payload.sid,
      kind: 'guest',
    });
    expect(decodeJwtParts(next.token).payload).not.toHaveProperty('user_id');
  });

  it('logout: a session id beside an unknown refresh token ends nothing', async ({
    server,
    widget: { clientKey },
    postJson,
  }) => {
    const session = await guestSession(server, clientKey);
    const res = await postJson('logout', {
      refresh_token: 'rt_unknown',
      session_id: decodeJwtParts(session.token).payload.sid,
      sid: decodeJwtParts(session.token).payload.sid,
    });
    expect(res.status).toBe(204);
    sessionBody(await refresh(server, session.refresh_token, ORIGIN));
  });

  it('config: an origin in the query string is not the request origin', async ({
    server,
    widget: { clientKey },
  }) => {
    const res = await request(
      server.baseUrl,
      `/api/v1/widget/config?client_key=${clientKey}&origin=${encodeURIComponent(ORIGIN)}`,
      { origin: EVIL },
    );
    expectTextError(res, 403, 'Origin not in allowlist');
  });
});
