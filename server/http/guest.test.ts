import { describe, expect } from 'vitest';
import { setWidgetDisabled } from '../admin/index.js';
import { request } from '../test-support/http.js';
import { rawRequest } from '../test-support/rawRequest.js';
import { serverTest } from '../test-support/serverTest.js';
import { GUEST } from '../test-support/paths.js';
import { decodeJwtParts } from '../test-support/decodeJwtParts.js';
import { expectTextError } from '../test-support/expectTextError.js';
import { VisitorTokenBody, visitorBody } from '../test-support/flowsHelpers.js';
import { ORIGIN } from '../test-support/origins.js';


const it = serverTest
  /** Client keys of a live widget (the default one), a test-mode one and one without guests. */
  .extend('keys', { scope: 'file' }, async ({ server, widget }) => ({
    live: widget.clientKey,
    test: (await server.createWidget({ origins: [ORIGIN], mode: 'test' })).clientKey,
    noGuest: (await server.createWidget({ origins: [ORIGIN], guestEnabled: false })).clientKey,
  }))
  /** A guest request to the file's server; `origin: null` sends no Origin header at all. */
  .extend(
    'guest',
    ({ server }) =>
      (body: unknown, origin: string | null = ORIGIN) =>
        request(server.baseUrl, GUEST, {
          method: 'POST',
          body,
          ...(origin === null ? {} : { origin }),
        }),
  );

describe('POST /api/v1/widget/auth/guest', () => {
  describe('success', () => {
    it('answers 200 with token, token_type Bearer, expires_in 120, expires_at = iat + 120 s and a vis_ visitor_id', async ({
      guest,
      keys: { live: liveKey },
    }) => {
      const res = await guest({ client_key: liveKey });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = VisitorTokenBody.strict().parse(res.json);
      expect(Object.keys(body).sort()).toStrictEqual([
        'expires_at',
        'expires_in',
        'token',
        'token_type',
        'visitor_id',
      ]);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 120 });
      expect(body.visitor_id).toMatch(/^vis_[0-9A-Za-z]{16,40}$/);
      expect(typeof body.token).toBe('string');
      const { payload } = decodeJwtParts(body.token);
      expect(typeof payload.iat).toBe('number');
      expect(body.expires_at).toBe(new Date((Number(payload.iat) + 120) * 1000).toISOString());
      expect(payload.exp).toBe(Number(payload.iat) + 120);
    });

    it('reads the time from the service clock (expires_at moves with the clock)', async ({
      server,
      guest,
      keys: { live: liveKey },
    }) => {
      const before = await guest({ client_key: liveKey });
      server.clock.advance(3_600_000);
      const after = await guest({ client_key: liveKey });
      const at = (r: typeof before) =>
        Date.parse(visitorBody(r).expires_at);
      expect(at(after) - at(before)).toBeGreaterThanOrEqual(3_599_000);
      expect(at(after) - at(before)).toBeLessThanOrEqual(3_601_000);
    });

    it('mints a visitor+jwt for kataven:widget-exchange bound to the request origin, with sub = visitor_id', async ({
      guest,
      keys: { live: liveKey },
    }) => {
      const res = await guest({ client_key: liveKey });
      const body = visitorBody(res);
      const { header, payload } = decodeJwtParts(body.token);
      expect(header).toMatchObject({ typ: 'visitor+jwt', alg: 'ES256' });
      expect(typeof header.kid).toBe('string');
      expect(payload).toMatchObject({
        aud: 'kataven:widget-exchange',
        origin: ORIGIN,
        kind: 'guest',
        client_id: liveKey,
        sub: body.visitor_id,
        iss: 'http://kataven.test',
      });
      expect(typeof payload.jti).toBe('string');
    });

    it('gives every guest a new visitor_id and a new jti', async ({
      guest,
      keys: { live: liveKey },
    }) => {
      const a = visitorBody(await guest({ client_key: liveKey }));
      const b = visitorBody(await guest({ client_key: liveKey }));
      expect(a.visitor_id).not.toBe(b.visitor_id);
      expect(decodeJwtParts(a.token).payload.jti).not.toBe(
        decodeJwtParts(b.token).payload.jti,
      );
    });

    it('is never cached: Cache-Control no-store and Pragma no-cache', async ({
      guest,
      keys: { live: liveKey },
    }) => {
      const res = await guest({ client_key: liveKey });
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
    });

    it('echoes the allowed origin in Access-Control-Allow-Origin', async ({
      guest,
      keys: { live: liveKey },
    }) => {
      const res = await guest({ client_key: liveKey });
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    });
  });

  describe('unknown body fields are ignored', () => {
    it('does not honour a supplied visitor_id, sub, exp, origin, kind or user_id', async ({
      guest,
      keys: { live: liveKey },
    }) => {
      const res = await guest({
        client_key: liveKey,
        visitor_id: 'vis_AAAAAAAAAAAAAAAAAAAAAA',
        sub: 'vis_BBBBBBBBBBBBBBBBBBBBBB',
        exp: 4_102_444_800,
        origin: 'https://evil.example',
        kind: 'user',
        user_id: 'admin',
        expires_in: 999_999,
      });
      expect(res.status).toBe(200);
      const body = visitorBody(res);
      expect(body.visitor_id).not.toBe('vis_AAAAAAAAAAAAAAAAAAAAAA');
      expect(body.visitor_id).not.toBe('vis_BBBBBBBBBBBBBBBBBBBBBB');
      expect(body.expires_in).toBe(120);
      const { payload } = decodeJwtParts(body.token);
      expect(payload.sub).toBe(body.visitor_id);
      expect(payload.exp).toBe(Number(payload.iat) + 120);
      expect(payload.origin).toBe(ORIGIN);
      expect(payload.kind).toBe('guest');
      expect(payload).not.toHaveProperty('user_id');
    });
  });

  describe('400 "Missing client_key"', () => {
    const bodies: { name: string; body: (liveKey: string) => unknown }[] = [
      { name: 'an empty object', body: () => ({}) },
      { name: 'a body without the field', body: (liveKey) => ({ clientKey: liveKey }) },
      { name: 'an empty string', body: () => ({ client_key: '' }) },
      { name: 'an array body', body: () => [] },
    ];
    for (const { name, body } of bodies) {
      it(`refuses ${name}`, async ({ keys, guest }) => {
        expectTextError(await guest(body(keys.live)), 400, 'Missing client_key');
      });
    }
  });

  describe('400 "Invalid JSON body"', () => {
    const raw = [
      { name: 'a top-level null (refused by the strict parser)', rawBody: 'null' },
      { name: 'a top-level string', rawBody: '"pk_live_abcdefgh12345678"' },
      { name: 'truncated JSON', rawBody: '{"client_key": "pk_live_' },
    ];
    for (const { name, rawBody } of raw) {
      it(`refuses ${name}`, async ({ server }) => {
        const res = await request(server.baseUrl, GUEST, {
          method: 'POST',
          origin: ORIGIN,
          rawBody,
          headers: { 'content-type': 'application/json' },
        });
        expectTextError(res, 400, 'Invalid JSON body');
      });
    }

    it('refuses an empty application/json body with a 400 (no JSON, or no client_key)', async ({
      server,
    }) => {
      const res = await request(server.baseUrl, GUEST, {
        method: 'POST',
        origin: ORIGIN,
        rawBody: '',
        headers: { 'content-type': 'application/json' },
      });
      expectTextError(res, 400, /^(Invalid JSON body|Missing client_key)$/);
    });
  });

  describe('400 "Invalid client_key"', () => {
    const bodies: { name: string; body: unknown }[] = [
      { name: 'a number', body: { client_key: 42 } },
      { name: 'a boolean', body: { client_key: true } },
      { name: 'null', body: { client_key: null } },
      { name: 'an object', body: { client_key: { $ne: '' } } },
      { name: 'an array of a valid key', body: { client_key: ['pk_live_abcdefgh12345678'] } },
      { name: 'a secret-key prefix', body: { client_key: 'sk_live_abcdefgh12345678' } },
      { name: 'a wrong prefix', body: { client_key: 'pk_prod_abcdefgh12345678' } },
      { name: 'bad characters', body: { client_key: 'pk_live_abcd/../efgh' } },
    ];
    for (const { name, body } of bodies) {
      it(`refuses ${name}`, async ({ guest }) => {
        expectTextError(await guest(body), 400, 'Invalid client_key');
      });
    }
  });

  describe('403 "Origin not in allowlist for this client_key"', () => {
    it('refuses a request without Origin', async ({ guest, keys: { live: liveKey } }) => {
      expectTextError(
        await guest({ client_key: liveKey }, null),
        403,
        'Origin not in allowlist for this client_key',
      );
    });

    const origins = [
      'https://evil.example',
      'https://ORIGIN.example.com',
      'https://shop.example.com:443',
      'https://shop.example.com/',
      'http://shop.example.com',
      'https://sub.shop.example.com',
      'null',
      'https://shop.example.com, https://shop.example.com',
    ];
    for (const origin of origins) {
      it(`refuses Origin ${JSON.stringify(origin)}`, async ({ guest, keys: { live: liveKey } }) => {
        expectTextError(
          await guest({ client_key: liveKey }, origin),
          403,
          'Origin not in allowlist for this client_key',
        );
      });
    }

    it('refuses two Origin headers, even when both are the allowed origin', async ({
      server,
      keys: { live: liveKey },
    }) => {
      const res = await rawRequest(server.baseUrl, GUEST, {
        method: 'POST',
        headers: [
          ['content-type', 'application/json'],
          ['origin', [ORIGIN, ORIGIN]],
        ],
        body: JSON.stringify({ client_key: liveKey }),
      });
      expect(res.status).toBe(403);
      expect(res.text).toBe('Origin not in allowlist for this client_key');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('403 "Guest access is disabled for this client_key"', () => {
    it('refuses a guest on a widget with guests disabled, from an allowed origin', async ({
      guest,
      keys: { noGuest: noGuestKey },
    }) => {
      expectTextError(
        await guest({ client_key: noGuestKey }),
        403,
        'Guest access is disabled for this client_key',
      );
    });

    it('still reports the origin first when the origin is not allowed either', async ({
      guest,
      keys: { noGuest: noGuestKey },
    }) => {
      expectTextError(
        await guest({ client_key: noGuestKey }, 'https://evil.example'),
        403,
        'Origin not in allowlist for this client_key',
      );
    });
  });

  describe('404 "Unknown client_key"', () => {
    it('answers 404 for a well-formed key that does not exist', async ({ guest }) => {
      expectTextError(
        await guest({ client_key: `pk_live_${'Q'.repeat(24)}` }),
        404,
        'Unknown client_key',
      );
    });

    it('answers 404 for a disabled widget', async ({ server, guest }) => {
      const { clientKey } = await server.createWidget({ origins: [ORIGIN] });
      expect((await guest({ client_key: clientKey })).status).toBe(200);
      await setWidgetDisabled({ store: server.store, clock: server.clock }, clientKey, true);
      expectTextError(await guest({ client_key: clientKey }), 404, 'Unknown client_key');
    });
  });

  describe('loopback origins', () => {
    const loopbacks = ['http://localhost:5173', 'http://127.0.0.1:9999', 'http://[::1]:3000'];
    for (const origin of loopbacks) {
      it(`accepts ${origin} on a test widget and binds the token to it`, async ({
        guest,
        keys: { test: testKey },
      }) => {
        const res = await guest({ client_key: testKey }, origin);
        expect(res.status).toBe(200);
        const { payload } = decodeJwtParts(visitorBody(res).token);
        expect(payload.origin).toBe(origin);
      });

      it(`refuses ${origin} on a live widget`, async ({ guest, keys: { live: liveKey } }) => {
        expectTextError(
          await guest({ client_key: liveKey }, origin),
          403,
          'Origin not in allowlist for this client_key',
        );
      });
    }

    it('refuses a look-alike loopback host on a test widget', async ({
      guest,
      keys: { test: testKey },
    }) => {
      expectTextError(
        await guest({ client_key: testKey }, 'http://localhost.evil.example:5173'),
        403,
        'Origin not in allowlist for this client_key',
      );
    });
  });
});
