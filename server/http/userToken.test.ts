import { describe, expect, vi } from 'vitest';
import { createSecretKey, revokeSecretKey, rollSecretKey, setWidgetDisabled } from '../admin/index.js';
import { generateSecretKey } from '../keys/secretKey.js';
import { request, type TestResponse } from '../test-support/http.js';
import { serverTest } from '../test-support/serverTest.js';
import type { TestServer } from '../test-support/startTestServer.js';
import { USER_TOKEN } from '../test-support/paths.js';
import { decodeJwtParts } from '../test-support/decodeJwtParts.js';
import { expectTextError } from '../test-support/expectTextError.js';
import { corsHeaderNames } from '../test-support/http.js';
import { ORIGIN } from '../test-support/origins.js';
import { VisitorTokenBody } from '../test-support/flowsHelpers.js';

const CHALLENGE = 'Bearer realm="kataven"';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="kataven", error="invalid_token"';

interface Accounts {
  /** Account A: a live widget and a live key, plus a test widget and a test key in the same account. */
  accountA: string;
  liveKeyA: string;
  liveWidgetA: string;
  testKeyA: string;
  testWidgetA: string;
  /** Account B: someone else's live widget. */
  liveWidgetB: string;
}

interface UserTokenOptions {
  /** The secret key to send as Bearer (default: account A's live key); null sends none. */
  key?: string | null;
  authorization?: string;
  origin?: string;
  path?: string;
}

const adminDeps = (server: TestServer) => ({ store: server.store, clock: server.clock });

const it = serverTest
  .extend('accounts', { scope: 'file' }, async ({ server, widget }): Promise<Accounts> => {
    const accountA = widget.accountId;
    const testWidgetA = (
      await server.createWidget({ origins: [ORIGIN], mode: 'test', accountId: accountA })
    ).clientKey;
    const testKeyA = (
      await createSecretKey(adminDeps(server), { accountId: accountA, mode: 'test' })
    ).secret_key;
    const liveWidgetB = (await server.createWidget({ origins: ['https://other.example.org'] }))
      .clientKey;
    return {
      accountA,
      liveKeyA: widget.secretKey,
      liveWidgetA: widget.clientKey,
      testKeyA,
      testWidgetA,
      liveWidgetB,
    };
  })
  /** A user-token request to the file's server. */
  .extend(
    'userToken',
    ({ server, accounts }) =>
      (body: unknown, options: UserTokenOptions = {}): Promise<TestResponse> => {
        const headers: Record<string, string> = {};
        if (options.authorization !== undefined) headers.authorization = options.authorization;
        else if (options.key !== null)
          headers.authorization = `Bearer ${options.key ?? accounts.liveKeyA}`;
        return request(server.baseUrl, options.path ?? USER_TOKEN, {
          method: 'POST',
          body,
          headers,
          ...(options.origin === undefined ? {} : { origin: options.origin }),
        });
      },
  );

type UserTokenRequest = (body: unknown, options?: UserTokenOptions) => Promise<TestResponse>;

/** A 200 answer's body; strict, so an extra field fails the test. */
function bodyOf(res: TestResponse): VisitorTokenBody {
  expect(res.status, res.text).toBe(200);
  return VisitorTokenBody.strict().parse(res.json);
}

/** Flips one character of the key's random part: the checksum no longer matches. */
function flipOneChar(key: string, index = 20): string {
  const c = key.charAt(index);
  return key.slice(0, index) + (c === 'A' ? 'B' : 'A') + key.slice(index + 1);
}

describe('POST /api/v1/widget/auth/user-token', () => {
  describe('success', () => {
    it('answers 200 with the visitor token shape plus user_id', async ({
      userToken,
      accounts: { liveWidgetA },
    }) => {
      const res = await userToken({ client_key: liveWidgetA, user_id: 'u_123' });
      const body = bodyOf(res);
      expect(Object.keys(body).sort()).toStrictEqual([
        'expires_at',
        'expires_in',
        'token',
        'token_type',
        'user_id',
        'visitor_id',
      ]);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 120, user_id: 'u_123' });
      expect(body.visitor_id).toMatch(/^vis_[0-9A-Za-z]{16,40}$/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
    });

    it('mints a visitor+jwt whose claims carry user_id, name, email and metadata', async ({
      userToken,
      accounts: { liveWidgetA },
    }) => {
      const metadata = { plan: 'pro', seats: 3, beta: true };
      const body = bodyOf(
        await userToken({
          client_key: liveWidgetA,
          user_id: 'u_123',
          name: 'Ada',
          email: 'ada@example.com',
          metadata,
        }),
      );
      const { header, payload } = decodeJwtParts(body.token);
      expect(header).toMatchObject({ typ: 'visitor+jwt', alg: 'ES256' });
      expect(payload).toMatchObject({
        aud: 'kataven:widget-exchange',
        kind: 'user',
        client_id: liveWidgetA,
        sub: body.visitor_id,
        user_id: 'u_123',
        name: 'Ada',
        email: 'ada@example.com',
        metadata,
      });
      expect(payload.exp).toBe(Number(payload.iat) + 120);
      expect(body.expires_at).toBe(new Date(Number(payload.exp) * 1000).toISOString());
    });

    it('leaves optional claims out when they are not given and carries no origin', async ({
      userToken,
      accounts: { liveWidgetA },
    }) => {
      const { payload } = decodeJwtParts(
        bodyOf(await userToken({ client_key: liveWidgetA, user_id: 'u_min' })).token,
      );
      expect(payload).not.toHaveProperty('name');
      expect(payload).not.toHaveProperty('email');
      expect(payload).not.toHaveProperty('metadata');
      expect(payload).not.toHaveProperty('origin');
    });

    it('gives the same user the same visitor_id and a different user a different one', async ({
      userToken,
      accounts: { liveWidgetA },
    }) => {
      const first = bodyOf(await userToken({ client_key: liveWidgetA, user_id: 'u_same' }));
      const again = bodyOf(
        await userToken({ client_key: liveWidgetA, user_id: 'u_same', name: 'Changed' }),
      );
      const other = bodyOf(await userToken({ client_key: liveWidgetA, user_id: 'u_other' }));
      expect(again.visitor_id).toBe(first.visitor_id);
      expect(other.visitor_id).not.toBe(first.visitor_id);
      expect(decodeJwtParts(again.token).payload.jti).not.toBe(
        decodeJwtParts(first.token).payload.jti,
      );
    });

    it('serves a test widget with a test key of the same account', async ({
      userToken,
      accounts: { testKeyA, testWidgetA },
    }) => {
      bodyOf(await userToken({ client_key: testWidgetA, user_id: 'u_1' }, { key: testKeyA }));
    });

    it('accepts the Bearer scheme name in any case', async ({
      userToken,
      accounts: { liveKeyA, liveWidgetA },
    }) => {
      bodyOf(
        await userToken(
          { client_key: liveWidgetA, user_id: 'u_1' },
          { authorization: `bearer ${liveKeyA}` },
        ),
      );
    });

    it('ignores unknown body fields (visitor_id, sub, exp are not honoured)', async ({
      userToken,
      accounts: { liveWidgetA },
    }) => {
      const body = bodyOf(
        await userToken({
          client_key: liveWidgetA,
          user_id: 'u_x',
          visitor_id: 'vis_AAAAAAAAAAAAAAAAAAAAAA',
          sub: 'vis_B',
          exp: 4_102_444_800,
        }),
      );
      const { payload } = decodeJwtParts(body.token);
      expect(body.visitor_id).not.toBe('vis_AAAAAAAAAAAAAAAAAAAAAA');
      expect(payload.sub).toBe(body.visitor_id);
      expect(payload.exp).toBe(Number(payload.iat) + 120);
    });

    it("sets the key's last_used_at", async ({ server, userToken }) => {
      const { accountId, clientKey, secretKey } = await server.createWidget({ origins: [ORIGIN] });
      const [before] = await server.store.listSecretKeys(accountId);
      expect(before?.lastUsedAt).toBeNull();
      bodyOf(await userToken({ client_key: clientKey, user_id: 'u_1' }, { key: secretKey }));
      const [after] = await server.store.listSecretKeys(accountId);
      expect(after?.lastUsedAt).toBe(server.clock.now());
    });
  });

  describe('401 "Missing or invalid API key"', () => {
    it('answers the bare challenge when there is no Authorization header', async ({
      userToken,
      accounts: { liveWidgetA },
    }) => {
      const res = await userToken({ client_key: liveWidgetA, user_id: 'u_1' }, { key: null });
      expectTextError(res, 401, 'Missing or invalid API key');
      expect(res.headers.get('www-authenticate')).toBe(CHALLENGE);
    });

    it('answers 401 before looking at the body, so an invalid body still gets the challenge', async ({
      userToken,
    }) => {
      const res = await userToken({ nonsense: true }, { key: null });
      expectTextError(res, 401, 'Missing or invalid API key');
      expect(res.headers.get('www-authenticate')).toBe(CHALLENGE);
    });

    const failing: { name: string; authorization: (accounts: Accounts) => string }[] = [
      { name: 'a malformed credential', authorization: () => 'Bearer not-a-key' },
      { name: 'a bare key without scheme', authorization: ({ liveKeyA }) => liveKeyA },
      { name: 'the Bearer scheme with no key', authorization: () => 'Bearer' },
      { name: 'the Basic scheme', authorization: ({ liveKeyA }) => `Basic ${liveKeyA}` },
      {
        name: 'Basic credentials',
        authorization: ({ liveKeyA }) => `Basic ${Buffer.from(`${liveKeyA}:`).toString('base64')}`,
      },
      {
        name: 'a pk_ key sent as a secret',
        authorization: ({ liveWidgetA }) => `Bearer ${liveWidgetA}`,
      },
      {
        name: 'a checksum failure (one character flipped)',
        authorization: ({ liveKeyA }) => `Bearer ${flipOneChar(liveKeyA)}`,
      },
      {
        name: 'a truncated key',
        authorization: ({ liveKeyA }) => `Bearer ${liveKeyA.slice(0, -1)}`,
      },
      {
        name: 'a key with an extra character',
        authorization: ({ liveKeyA }) => `Bearer ${liveKeyA}x`,
      },
      {
        name: 'an unknown key with a valid checksum',
        authorization: () => `Bearer ${generateSecretKey('live')}`,
      },
      {
        name: 'the key twice',
        authorization: ({ liveKeyA }) => `Bearer ${liveKeyA}, Bearer ${liveKeyA}`,
      },
    ];
    for (const { name, authorization } of failing) {
      it(`answers the invalid_token challenge for ${name}`, async ({ userToken, accounts }) => {
        const res = await userToken(
          { client_key: accounts.liveWidgetA, user_id: 'u_1' },
          { authorization: authorization(accounts) },
        );
        expectTextError(res, 401, 'Missing or invalid API key');
        expect(res.headers.get('www-authenticate')).toBe(INVALID_TOKEN_CHALLENGE);
      });
    }

    it('answers the invalid_token challenge for a revoked key that worked before', async ({
      server,
      userToken,
    }) => {
      const { clientKey, secretKey } = await server.createWidget({ origins: [ORIGIN] });
      bodyOf(await userToken({ client_key: clientKey, user_id: 'u_1' }, { key: secretKey }));
      await revokeSecretKey(adminDeps(server), secretKey);
      const res = await userToken({ client_key: clientKey, user_id: 'u_1' }, { key: secretKey });
      expectTextError(res, 401, 'Missing or invalid API key');
      expect(res.headers.get('www-authenticate')).toBe(INVALID_TOKEN_CHALLENGE);
    });

    it('keeps a rolled key working until its expiry, then answers 401 exactly as for a revoked key; the successor works throughout', async ({
      server,
      userToken,
    }) => {
      const { clientKey, secretKey, accountId } = await server.createWidget({ origins: [ORIGIN] });
      const [key] = await server.store.listSecretKeys(accountId);
      const rolled = await rollSecretKey(adminDeps(server), { keyId: key?.id ?? '', expiresInMs: 60_000 });
      const body = { client_key: clientKey, user_id: 'u_1' };
      server.clock.advance(59_999);
      bodyOf(await userToken(body, { key: secretKey }));
      bodyOf(await userToken(body, { key: rolled.secret_key }));
      server.clock.advance(1);
      const res = await userToken(body, { key: secretKey });
      expectTextError(res, 401, 'Missing or invalid API key');
      expect(res.headers.get('www-authenticate')).toBe(INVALID_TOKEN_CHALLENGE);
      bodyOf(await userToken(body, { key: rolled.secret_key }));
    });

    it('does not accept the key in the query string', async ({
      userToken,
      accounts: { liveKeyA, liveWidgetA },
    }) => {
      const query = `?api_key=${liveKeyA}&secret_key=${liveKeyA}&access_token=${liveKeyA}&key=${liveKeyA}`;
      const res = await userToken(
        { client_key: liveWidgetA, user_id: 'u_1' },
        { key: null, path: USER_TOKEN + query },
      );
      expectTextError(res, 401, 'Missing or invalid API key');
      expect(res.headers.get('www-authenticate')).toBe(CHALLENGE);
    });

    it('does not accept the key in the body', async ({
      userToken,
      accounts: { liveKeyA, liveWidgetA },
    }) => {
      const res = await userToken(
        {
          client_key: liveWidgetA,
          user_id: 'u_1',
          api_key: liveKeyA,
          secret_key: liveKeyA,
          access_token: liveKeyA,
          authorization: `Bearer ${liveKeyA}`,
        },
        { key: null },
      );
      expectTextError(res, 401, 'Missing or invalid API key');
      expect(res.headers.get('www-authenticate')).toBe(CHALLENGE);
    });

    it('checks the checksum before any database lookup', async ({
      server,
      userToken,
      accounts: { liveKeyA, liveWidgetA },
    }) => {
      const spy = vi.spyOn(server.store, 'findActiveSecretKey');
      try {
        const bad = await userToken(
          { client_key: liveWidgetA, user_id: 'u_1' },
          { key: flipOneChar(liveKeyA) },
        );
        expect(bad.status).toBe(401);
        expect(spy).not.toHaveBeenCalled();

        const unknown = await userToken(
          { client_key: liveWidgetA, user_id: 'u_1' },
          { key: generateSecretKey('live') },
        );
        expect(unknown.status).toBe(401);
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('404 "Unknown client_key"', () => {
    const cases: {
      name: string;
      clientKey: (accounts: Accounts) => string;
      key: (accounts: Accounts) => string;
    }[] = [
      {
        name: 'a widget that does not exist',
        clientKey: () => `pk_live_${'Z'.repeat(24)}`,
        key: ({ liveKeyA }) => liveKeyA,
      },
      {
        name: "another account's widget (tenant isolation)",
        clientKey: ({ liveWidgetB }) => liveWidgetB,
        key: ({ liveKeyA }) => liveKeyA,
      },
      {
        name: 'a live widget with a test key of the same account',
        clientKey: ({ liveWidgetA }) => liveWidgetA,
        key: ({ testKeyA }) => testKeyA,
      },
      {
        name: 'a test widget with a live key of the same account',
        clientKey: ({ testWidgetA }) => testWidgetA,
        key: ({ liveKeyA }) => liveKeyA,
      },
    ];
    for (const { name, clientKey, key } of cases) {
      it(`answers 404 for ${name}`, async ({ userToken, accounts }) => {
        expectTextError(
          await userToken(
            { client_key: clientKey(accounts), user_id: 'u_1' },
            { key: key(accounts) },
          ),
          404,
          'Unknown client_key',
        );
      });
    }

    it('answers 404 for a disabled widget', async ({ server, userToken }) => {
      const { clientKey, secretKey } = await server.createWidget({ origins: [ORIGIN] });
      bodyOf(await userToken({ client_key: clientKey, user_id: 'u_1' }, { key: secretKey }));
      await setWidgetDisabled(adminDeps(server), clientKey, true);
      expectTextError(
        await userToken({ client_key: clientKey, user_id: 'u_1' }, { key: secretKey }),
        404,
        'Unknown client_key',
      );
    });
  });

  describe('400 "Missing client_key or user_id"', () => {
    const bodies: { name: string; body: (accounts: Accounts) => unknown }[] = [
      { name: 'an empty object', body: () => ({}) },
      { name: 'no client_key', body: () => ({ user_id: 'u_1' }) },
      { name: 'no user_id', body: ({ liveWidgetA }) => ({ client_key: liveWidgetA }) },
      {
        name: 'an empty user_id',
        body: ({ liveWidgetA }) => ({ client_key: liveWidgetA, user_id: '' }),
      },
      { name: 'an empty client_key', body: () => ({ client_key: '', user_id: 'u_1' }) },
    ];
    for (const { name, body } of bodies) {
      it(`refuses ${name}`, async ({ userToken, accounts }) => {
        expectTextError(await userToken(body(accounts)), 400, 'Missing client_key or user_id');
      });
    }
  });

  describe('400 with a one-line reason naming the field', () => {
    const metadataOf = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));
    /** `reason`: what the line must also say, beyond naming the field (the limit, or what is wrong). */
    const cases: {
      name: string;
      field: string;
      reason?: RegExp;
      extra: () => Record<string, unknown>;
    }[] = [
      {
        name: 'a user_id over 256 characters',
        field: 'user_id',
        reason: /256/,
        extra: () => ({ user_id: 'u'.repeat(257) }),
      },
      {
        name: 'a user_id with a control character',
        field: 'user_id',
        reason: /printable/,
        extra: () => ({ user_id: 'u_1\u0007' }),
      },
      {
        name: 'a user_id with a newline',
        field: 'user_id',
        reason: /printable/,
        extra: () => ({ user_id: 'u_1\nX-Injected: 1' }),
      },
      { name: 'a user_id that is a number', field: 'user_id', extra: () => ({ user_id: 123 }) },
      {
        name: 'a name over 128 characters',
        field: 'name',
        reason: /128/,
        extra: () => ({ name: 'n'.repeat(129) }),
      },
      {
        name: 'a name with a control character',
        field: 'name',
        reason: /printable/,
        extra: () => ({ name: 'Ada\u0000' }),
      },
      { name: 'a bad email', field: 'email', extra: () => ({ email: 'not-an-email' }) },
      {
        name: 'an email over 254 characters',
        field: 'email',
        reason: /254/,
        extra: () => ({ email: `${'a'.repeat(243)}@example.com` }),
      },
      {
        name: 'metadata with 21 keys',
        field: 'metadata',
        reason: /20/,
        extra: () => ({ metadata: metadataOf(21) }),
      },
      {
        name: 'a metadata key over 40 characters',
        field: 'metadata',
        reason: /key.*40|40.*key/i,
        extra: () => ({ metadata: { ['k'.repeat(41)]: 'v' } }),
      },
      {
        name: 'a metadata string value over 500 characters',
        field: 'metadata',
        reason: /500/,
        extra: () => ({ metadata: { note: 'v'.repeat(501) } }),
      },
      {
        name: 'a nested object metadata value',
        field: 'metadata',
        reason: /value/,
        extra: () => ({ metadata: { nested: { a: 1 } } }),
      },
      {
        name: 'an array metadata value',
        field: 'metadata',
        reason: /value/,
        extra: () => ({ metadata: { list: [1, 2] } }),
      },
      {
        name: 'a null metadata value',
        field: 'metadata',
        reason: /value/,
        extra: () => ({ metadata: { gone: null } }),
      },
      { name: 'metadata that is an array', field: 'metadata', extra: () => ({ metadata: ['a'] }) },
      {
        name: 'metadata that is a string',
        field: 'metadata',
        extra: () => ({ metadata: 'plan=pro' }),
      },
    ];
    for (const { name, field, reason, extra } of cases) {
      it(`refuses ${name} with a reason naming ${field}`, async ({
        userToken,
        accounts: { liveWidgetA },
      }) => {
        const res = await userToken({ client_key: liveWidgetA, user_id: 'u_1', ...extra() });
        expectTextError(res, 400);
        expect(res.text).toContain(field);
        if (reason !== undefined) expect(res.text).toMatch(reason);
        expect(res.text).not.toBe('Missing client_key or user_id');
      });
    }

    const accepted: { name: string; extra: () => Record<string, unknown> }[] = [
      { name: 'a user_id of exactly 256 characters', extra: () => ({ user_id: 'u'.repeat(256) }) },
      { name: 'a non-ASCII printable user_id', extra: () => ({ user_id: 'usuário_ü_😀' }) },
      { name: 'a name of exactly 128 characters', extra: () => ({ name: 'n'.repeat(128) }) },
      { name: 'metadata with exactly 20 keys', extra: () => ({ metadata: metadataOf(20) }) },
      {
        name: 'a metadata key of exactly 40 characters',
        extra: () => ({ metadata: { ['k'.repeat(40)]: 'v' } }),
      },
      {
        name: 'a metadata string value of exactly 500 characters',
        extra: () => ({ metadata: { note: 'v'.repeat(500) } }),
      },
    ];
    for (const { name, extra } of accepted) {
      it(`accepts ${name}`, async ({ userToken, accounts: { liveWidgetA } }) => {
        bodyOf(await userToken({ client_key: liveWidgetA, user_id: 'u_1', ...extra() }));
      });
    }

    it('refuses an invalid client_key with "Invalid client_key"', async ({ userToken }) => {
      expectTextError(
        await userToken({ client_key: 'pk_prod_abcdefgh12345678', user_id: 'u_1' }),
        400,
        'Invalid client_key',
      );
    });
  });

  describe('no CORS headers at all', () => {
    it('answers a browser preflight without any Access-Control-* header', async ({ server }) => {
      const res = await request(server.baseUrl, USER_TOKEN, {
        method: 'OPTIONS',
        origin: ORIGIN,
        headers: {
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(corsHeaderNames(res.headers)).toStrictEqual([]);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });

    const posts: {
      name: string;
      run: (t: { userToken: UserTokenRequest; accounts: Accounts }) => Promise<TestResponse>;
    }[] = [
      {
        name: 'a 200',
        run: ({ userToken, accounts: { liveWidgetA } }) =>
          userToken({ client_key: liveWidgetA, user_id: 'u_1' }, { origin: ORIGIN }),
      },
      {
        name: 'a 401',
        run: ({ userToken, accounts: { liveWidgetA } }) =>
          userToken({ client_key: liveWidgetA, user_id: 'u_1' }, { origin: ORIGIN, key: null }),
      },
      {
        name: 'a 400',
        run: ({ userToken, accounts: { liveWidgetA } }) =>
          userToken({ client_key: liveWidgetA }, { origin: ORIGIN }),
      },
      {
        name: 'a 404',
        run: ({ userToken, accounts: { liveWidgetB } }) =>
          userToken({ client_key: liveWidgetB, user_id: 'u_1' }, { origin: ORIGIN }),
      },
    ];
    for (const { name, run } of posts) {
      it(`sends no Access-Control-* header on ${name} to a POST with Origin`, async ({
        userToken,
        accounts,
      }) => {
        const res = await run({ userToken, accounts });
        expect(corsHeaderNames(res.headers)).toStrictEqual([]);
      });
    }
  });
});
