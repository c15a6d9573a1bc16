/**
 * The origin matrix against every cross-origin route that decides on the Origin:
 * config, guest, exchange and refresh. Nothing is normalised before comparing, so every value
 * below is refused (403 with the route's exact message) — and none of them spends the visitor
 * or refresh token it was sent with. PortSwigger's CORS research: reflected origins, suffix and
 * prefix matches, `null`, unescaped dots, other schemes.
 */
import { describe, expect } from 'vitest';
import { expectServiceWorks } from '../test-support/attacker.js';
import {
  ORIGIN,
  PATHS,
  guestSession,
  guestToken,
  sessionBody,
  visitorBody,
} from '../test-support/flowsHelpers.js';
import { asTestResponse, rawRequest, type RawResponse } from '../test-support/rawRequest.js';
import { serverTestWith } from '../test-support/serverTest.js';
import { expectTextError } from '../test-support/expectTextError.js';

const WILDCARD = 'https://*.partner-shop.example';
const WITH_PORT = 'https://app.example.com:8443';
const CONFIG_DENIED = 'Origin not in allowlist';
const DENIED = 'Origin not in allowlist for this client_key';

interface OriginCase {
  name: string;
  /** One value, or several `Origin` header lines. */
  value: string | readonly string[];
  /** Values that are not a syntactically valid origin must never be echoed in Access-Control-Allow-Origin. */
  echoable: boolean;
}

const long = (n: number) =>
  `https://${'a'.repeat(n - 'https://'.length - '.example.com'.length)}.example.com`;

/** 50 values that must not match `https://shop.example.com`, `https://*.partner-shop.example`, `https://app.example.com:8443`. */
const DENIED_ORIGINS: OriginCase[] = [
  { name: 'upper-case host', value: 'https://SHOP.example.com', echoable: true },
  { name: 'upper-case scheme', value: 'HTTPS://shop.example.com', echoable: true },
  { name: 'explicit default port', value: 'https://shop.example.com:443', echoable: true },
  { name: 'trailing slash', value: 'https://shop.example.com/', echoable: false },
  { name: 'trailing dot in the host', value: 'https://shop.example.com.', echoable: true },
  { name: 'plain http', value: 'http://shop.example.com', echoable: true },
  { name: 'another port', value: 'https://shop.example.com:8443', echoable: true },
  { name: 'port with a leading zero', value: 'https://app.example.com:08443', echoable: true },
  { name: 'port out of range', value: 'https://shop.example.com:65536', echoable: true },
  { name: 'empty port', value: 'https://shop.example.com:', echoable: false },
  { name: 'an unrelated site', value: 'https://evil.example.net', echoable: true },
  {
    name: 'allowed host as a prefix of an attacker domain',
    value: 'https://shop.example.com.evil.net',
    echoable: true,
  },
  {
    name: 'attacker label glued before the host',
    value: 'https://evilshop.example.com',
    echoable: true,
  },
  { name: 'a subdomain of an exact entry', value: 'https://www.shop.example.com', echoable: true },
  { name: 'unescaped-dot lookalike', value: 'https://shopxexample.com', echoable: true },
  { name: 'userinfo', value: 'https://user@shop.example.com', echoable: false },
  { name: 'a path', value: 'https://shop.example.com/path', echoable: false },
  { name: 'a query', value: 'https://shop.example.com?x=1', echoable: false },
  { name: 'a fragment', value: 'https://shop.example.com#x', echoable: false },
  { name: 'percent-encoded dot', value: 'https://shop%2eexample.com', echoable: false },
  { name: 'null (sandboxed iframe, file, data URL)', value: 'null', echoable: false },
  { name: 'an asterisk', value: '*', echoable: false },
  { name: 'no scheme', value: 'shop.example.com', echoable: false },
  { name: 'scheme-relative', value: '//shop.example.com', echoable: false },
  { name: 'file scheme', value: 'file://', echoable: false },
  {
    name: 'a browser extension',
    value: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
    echoable: true,
  },
  { name: 'javascript scheme', value: 'javascript:alert(1)', echoable: false },
  { name: 'data scheme', value: 'data:text/html,x', echoable: false },
  { name: 'the wildcard entry written literally', value: WILDCARD, echoable: true },
  {
    name: 'the bare domain of the wildcard entry',
    value: 'https://partner-shop.example',
    echoable: true,
  },
  {
    name: 'a wildcard subdomain on another scheme',
    value: 'http://a.partner-shop.example',
    echoable: true,
  },
  {
    name: 'a wildcard subdomain on another port',
    value: 'https://a.partner-shop.example:444',
    echoable: true,
  },
  {
    name: 'a wildcard lookalike suffix',
    value: 'https://a.evilpartner-shop.example',
    echoable: true,
  },
  {
    name: 'an empty label under the wildcard',
    value: 'https://.partner-shop.example',
    echoable: true,
  },
  { name: 'the port entry without its port', value: 'https://app.example.com', echoable: true },
  { name: 'loopback on a live widget', value: 'http://localhost:3000', echoable: true },
  { name: 'loopback IPv4 on a live widget', value: 'http://127.0.0.1:8080', echoable: true },
  { name: 'loopback IPv6 on a live widget', value: 'http://[::1]:8080', echoable: true },
  { name: 'a hex IPv4 host', value: 'https://0x7f.0.0.1', echoable: true },
  { name: 'punycode lookalike', value: 'https://xn--shp-tna.example.com', echoable: true },
  {
    name: 'non-ASCII lookalike (Latin-1 bytes)',
    value: 'https://shöp.example.com',
    echoable: false,
  },
  { name: 'an inner tab', value: 'https://shop\t.example.com', echoable: false },
  { name: 'an inner space', value: 'https://shop .example.com', echoable: false },
  {
    name: 'two origins joined by a comma',
    value: `${ORIGIN}, https://evil.example.net`,
    echoable: false,
  },
  { name: 'two Origin headers, both the allowed origin', value: [ORIGIN, ORIGIN], echoable: false },
  {
    name: 'two Origin headers, allowed then foreign',
    value: [ORIGIN, 'https://evil.example.net'],
    echoable: false,
  },
  { name: 'a 257-character origin', value: long(257), echoable: false },
  { name: 'an 8 KB origin', value: long(8 * 1024), echoable: false },
  {
    name: 'an 8 KB value starting with the allowed origin',
    value: `${ORIGIN}/${'a'.repeat(8 * 1024)}`,
    echoable: false,
  },
  { name: 'an empty Origin header', value: '', echoable: false },
];

const json = (body: unknown) => ({
  body: JSON.stringify(body),
  contentType: ['content-type', 'application/json'] as const,
});

const it = serverTestWith({ widget: { origins: [ORIGIN, WILDCARD, WITH_PORT] } })
  /** One visitor token and one refresh token, presented with every denied origin: none may be spent by it. */
  .extend('presented', { scope: 'file' }, async ({ server, widget }) => ({
    visitor: (await guestToken(server, widget.clientKey)).token,
    refreshToken: (await guestSession(server, widget.clientKey)).refresh_token,
  }))
  /** A request to the file's server with exactly these `Origin` header lines (and a JSON body if given). */
  .extend(
    'send',
    ({ server }) =>
      (path: string, origin: OriginCase['value'], body?: unknown): Promise<RawResponse> => {
        const headers: [string, string | readonly string[]][] = [['origin', origin]];
        if (body === undefined) return rawRequest(server.baseUrl, path, { headers });
        const { body: text, contentType } = json(body);
        return rawRequest(server.baseUrl, path, {
          method: 'POST',
          headers: [...headers, contentType],
          body: text,
        });
      },
  );

it.afterEach(async ({ server, widget }) => {
  await expectServiceWorks(server, widget.clientKey);
});

function expectRefused(res: RawResponse, message: string, origin: OriginCase) {
  expectTextError(asTestResponse(res), 403, message);
  const echoed = res.headers['access-control-allow-origin'];
  // Never `*`, never `null`, never credentials; an echo only ever repeats the exact, well-formed value.
  expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  if (origin.echoable) expect([undefined, origin.value]).toContain(echoed);
  else expect(echoed).toBeUndefined();
  expect(res.headers.vary).toMatch(/\bOrigin\b/);
}

describe('origins the allowlist does not hold are refused on every route', () => {
  for (const origin of DENIED_ORIGINS) {
    describe(origin.name, () => {
      it('config: 403 "Origin not in allowlist"', async ({ widget: { clientKey }, send }) => {
        expectRefused(
          await send(`/api/v1/widget/config?client_key=${clientKey}`, origin.value),
          CONFIG_DENIED,
          origin,
        );
      });

      it('guest: 403 "Origin not in allowlist for this client_key"', async ({
        widget: { clientKey },
        send,
      }) => {
        expectRefused(
          await send(PATHS.guest, origin.value, { client_key: clientKey }),
          DENIED,
          origin,
        );
      });

      it('exchange: 403, and the visitor token is not spent', async ({
        send,
        presented: { visitor },
      }) => {
        expectRefused(await send(PATHS.exchange, origin.value, { token: visitor }), DENIED, origin);
      });

      it('refresh: 403, and the refresh token is not spent', async ({
        send,
        presented: { refreshToken },
      }) => {
        expectRefused(
          await send(PATHS.refresh, origin.value, { refresh_token: refreshToken }),
          DENIED,
          origin,
        );
      });
    });
  }

  it(`has at least 30 denied values (${DENIED_ORIGINS.length})`, () => {
    expect(DENIED_ORIGINS.length).toBeGreaterThanOrEqual(30);
  });

  it('left the visitor and refresh tokens presented above unspent', async ({
    send,
    presented: { visitor, refreshToken },
  }) => {
    sessionBody(asTestResponse(await send(PATHS.exchange, ORIGIN, { token: visitor })));
    sessionBody(asTestResponse(await send(PATHS.refresh, ORIGIN, { refresh_token: refreshToken })));
  });
});

describe('controls: the allowlist entries themselves are served', () => {
  const allowed = [
    ORIGIN,
    'https://a.partner-shop.example',
    'https://deep.sub.partner-shop.example',
    WITH_PORT,
  ];
  for (const origin of allowed) {
    it(`serves ${origin} on config and guest, echoing it`, async ({
      widget: { clientKey },
      send,
    }) => {
      const config = await send(`/api/v1/widget/config?client_key=${clientKey}`, origin);
      expect(config.status).toBe(200);
      expect(config.headers['access-control-allow-origin']).toBe(origin);
      const guest = asTestResponse(await send(PATHS.guest, origin, { client_key: clientKey }));
      visitorBody(guest);
    });
  }

  it('binds a guest token to its origin: another allowed origin cannot exchange it', async ({
    server,
    widget: { clientKey },
    send,
  }) => {
    const token = (await guestToken(server, clientKey, 'https://a.partner-shop.example')).token;
    expectRefused(await send(PATHS.exchange, ORIGIN, { token }), DENIED, {
      name: 'other allowed',
      value: ORIGIN,
      echoable: true,
    });
    sessionBody(
      asTestResponse(await send(PATHS.exchange, 'https://a.partner-shop.example', { token })),
    );
  });

  it('binds a session to its origin: another allowed origin cannot refresh it', async ({
    server,
    widget: { clientKey },
    send,
  }) => {
    const session = await guestSession(server, clientKey, WITH_PORT);
    expectRefused(
      await send(PATHS.refresh, ORIGIN, { refresh_token: session.refresh_token }),
      DENIED,
      { name: 'other allowed', value: ORIGIN, echoable: true },
    );
    sessionBody(
      asTestResponse(
        await send(PATHS.refresh, WITH_PORT, { refresh_token: session.refresh_token }),
      ),
    );
  });

  it('refuses guest, exchange and refresh without any Origin, and serves config without one', async ({
    server,
    widget: { clientKey },
    presented: { visitor, refreshToken },
  }) => {
    const none = (path: string, body?: unknown) =>
      body === undefined
        ? rawRequest(server.baseUrl, path)
        : rawRequest(server.baseUrl, path, {
            method: 'POST',
            headers: [['content-type', 'application/json']],
            body: JSON.stringify(body),
          });
    expect((await none(`/api/v1/widget/config?client_key=${clientKey}`)).status).toBe(200);
    expectTextError(
      asTestResponse(await none(PATHS.guest, { client_key: clientKey })),
      403,
      DENIED,
    );
    expectTextError(asTestResponse(await none(PATHS.exchange, { token: visitor })), 403, DENIED);
    expectTextError(
      asTestResponse(await none(PATHS.refresh, { refresh_token: refreshToken })),
      403,
      DENIED,
    );
  });
});
