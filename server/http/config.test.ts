import { describe, expect } from 'vitest';
import { defaultWidgetPublicSettings } from '../../contract/index.js';
import { setWidgetDisabled, setWidgetSettings } from '../admin/index.js';
import { request } from '../test-support/http.js';
import { serverTest } from '../test-support/serverTest.js';
import { CONFIG } from '../test-support/paths.js';
import { expectTextError } from '../test-support/expectTextError.js';
import { ORIGIN } from '../test-support/origins.js';

const configPath = (clientKey: string) => `${CONFIG}?client_key=${encodeURIComponent(clientKey)}`;

/** The default widget is live; `testKey` is a test-mode widget without guests. */
const it = serverTest.extend(
  'testKey',
  { scope: 'file' },
  async ({ server }) =>
    (await server.createWidget({ origins: [ORIGIN], mode: 'test', guestEnabled: false })).clientKey,
);

describe('GET /api/v1/widget/config', () => {
  it('answers 200 with exactly the documented shape for a live widget', async ({
    server,
    widget: { clientKey: liveKey },
  }) => {
    const res = await request(server.baseUrl, configPath(liveKey), { origin: ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toStrictEqual({
      client_key: liveKey,
      mode: 'live',
      agent: { display_name: 'Ava', avatar_url: null },
      branding: {
        primary_color: '#4f46e5',
        background_color: '#ffffff',
        text_color: '#111827',
        position: 'bottom-right',
      },
      copy: {
        title: 'Chat with Ava',
        greeting: 'Hi! How can I help?',
        placeholder: 'Type a message…',
      },
      guest_enabled: true,
    });
  });

  it('reports mode "test" and guest_enabled false for a test widget without guests', async ({
    server,
    testKey,
  }) => {
    const res = await request(server.baseUrl, configPath(testKey));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ client_key: testKey, mode: 'test', guest_enabled: false });
  });

  it('is cacheable: public max-age=60, a strong ETag, Vary: Origin and no Pragma', async ({
    server,
    widget: { clientKey: liveKey },
  }) => {
    const res = await request(server.baseUrl, configPath(liveKey), { origin: ORIGIN });
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('etag')).toMatch(/^"[\x21\x23-\x7e]+"$/);
    expect(res.headers.get('vary')).toMatch(/\bOrigin\b/i);
    expect(res.headers.get('pragma')).toBeNull();
  });

  it('gives the same ETag for the same config', async ({
    server,
    widget: { clientKey: liveKey },
  }) => {
    const a = await request(server.baseUrl, configPath(liveKey));
    const b = await request(server.baseUrl, configPath(liveKey), { origin: ORIGIN });
    expect(a.headers.get('etag')).not.toBeNull();
    expect(b.headers.get('etag')).toBe(a.headers.get('etag'));
  });

  describe('If-None-Match', () => {
    const cases: { name: string; ifNoneMatch: (etag: string) => string }[] = [
      { name: 'the ETag itself', ifNoneMatch: (etag) => etag },
      { name: 'its weak form W/"…"', ifNoneMatch: (etag) => `W/${etag}` },
      { name: 'a list that contains it', ifNoneMatch: (etag) => `"other", ${etag}, "another"` },
      { name: '*', ifNoneMatch: () => '*' },
    ];
    for (const { name, ifNoneMatch } of cases) {
      it(`answers 304 with no body when If-None-Match is ${name}`, async ({
        server,
        widget: { clientKey: liveKey },
      }) => {
        const first = await request(server.baseUrl, configPath(liveKey), { origin: ORIGIN });
        const etag = first.headers.get('etag') ?? '';
        const res = await request(server.baseUrl, configPath(liveKey), {
          origin: ORIGIN,
          headers: { 'if-none-match': ifNoneMatch(etag) },
        });
        expect(res.status).toBe(304);
        expect(res.text).toBe('');
        expect(res.headers.get('etag')).toBe(etag);
        expect(res.headers.get('cache-control')).toBe('public, max-age=60');
        expect(res.headers.get('vary')).toMatch(/\bOrigin\b/i);
        expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      });
    }

    it('answers 200 with the body when If-None-Match names another ETag', async ({
      server,
      widget: { clientKey: liveKey },
    }) => {
      const res = await request(server.baseUrl, configPath(liveKey), {
        headers: { 'if-none-match': '"not-the-etag"' },
      });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ client_key: liveKey });
    });

    it('still refuses a disallowed Origin with 403 even when the ETag matches', async ({
      server,
      widget: { clientKey: liveKey },
    }) => {
      const first = await request(server.baseUrl, configPath(liveKey));
      const res = await request(server.baseUrl, configPath(liveKey), {
        origin: 'https://evil.example',
        headers: { 'if-none-match': first.headers.get('etag') ?? '' },
      });
      expectTextError(res, 403, 'Origin not in allowlist');
    });
  });

  it('gives a new ETag, and a 200 for the old one, after the settings change', async ({
    server,
  }) => {
    const { clientKey } = await server.createWidget({ origins: [ORIGIN] });
    const before = await request(server.baseUrl, configPath(clientKey));
    const oldEtag = before.headers.get('etag') ?? '';
    await setWidgetSettings({ store: server.store, clock: server.clock }, clientKey, {
      ...defaultWidgetPublicSettings,
      agent: { display_name: 'Bob', avatar_url: null },
    });
    const after = await request(server.baseUrl, configPath(clientKey), {
      headers: { 'if-none-match': oldEtag },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(oldEtag);
    expect(after.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(after.json).toMatchObject({ agent: { display_name: 'Bob', avatar_url: null } });
  });

  it('answers a caller without Origin (a non-browser caller) with 200 and no Access-Control-Allow-Origin', async ({
    server,
    widget: { clientKey: liveKey },
  }) => {
    const res = await request(server.baseUrl, configPath(liveKey));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toMatch(/\bOrigin\b/i);
  });

  it('answers an allowed Origin with 200 and echoes it in Access-Control-Allow-Origin', async ({
    server,
    widget: { clientKey: liveKey },
  }) => {
    const res = await request(server.baseUrl, configPath(liveKey), { origin: ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('accepts a loopback Origin for a test widget', async ({ server, testKey }) => {
    const res = await request(server.baseUrl, configPath(testKey), {
      origin: 'http://localhost:5173',
    });
    expect(res.status).toBe(200);
  });

  describe('400 "Missing client_key"', () => {
    const paths = [
      { name: 'no query at all', path: CONFIG },
      { name: 'an empty client_key', path: `${CONFIG}?client_key=` },
      { name: 'a client_key without a value', path: `${CONFIG}?client_key` },
      { name: 'another parameter only', path: `${CONFIG}?key=pk_live_abcdefgh12345678` },
      // The simple query parser reads no `[]` syntax: `client_key[]` is another parameter's name.
      {
        name: 'a bracketed client_key[] parameter',
        path: `${CONFIG}?client_key[]=pk_live_abcdefgh12345678`,
      },
    ];
    for (const { name, path } of paths) {
      it(`refuses ${name}`, async ({ server }) => {
        expectTextError(
          await request(server.baseUrl, path, { origin: ORIGIN }),
          400,
          'Missing client_key',
        );
      });
    }
  });

  describe('400 "Invalid client_key"', () => {
    const values = [
      { name: 'a secret-key prefix', query: 'client_key=sk_live_abcdefgh12345678' },
      { name: 'an unknown mode', query: 'client_key=pk_prod_abcdefgh12345678' },
      { name: 'no prefix', query: 'client_key=abcdefgh12345678' },
      { name: 'bad characters', query: `client_key=${encodeURIComponent('pk_live_abc-def!ghi')}` },
      {
        name: 'a space inside',
        query: `client_key=${encodeURIComponent('pk_live_abcd efgh1234')}`,
      },
      { name: 'too short a key part', query: 'client_key=pk_live_abc' },
      { name: 'too long a key part', query: `client_key=pk_live_${'a'.repeat(65)}` },
      {
        name: 'a repeated parameter',
        query: 'client_key=pk_live_abcdefgh12345678&client_key=pk_live_abcdefgh87654321',
      },
    ];
    for (const { name, query } of values) {
      it(`refuses ${name}`, async ({ server }) => {
        const res = await request(server.baseUrl, `${CONFIG}?${query}`, { origin: ORIGIN });
        expectTextError(res, 400, 'Invalid client_key');
      });
    }

    it('refuses the repeated parameter even when both values are the same valid key', async ({
      server,
      widget: { clientKey: liveKey },
    }) => {
      const res = await request(
        server.baseUrl,
        `${CONFIG}?client_key=${liveKey}&client_key=${liveKey}`,
        { origin: ORIGIN },
      );
      expectTextError(res, 400, 'Invalid client_key');
    });
  });

  describe('403 "Origin not in allowlist"', () => {
    const origins = [
      'https://evil.example',
      'https://ORIGIN.example.com',
      'https://shop.example.com:443',
      'https://shop.example.com/',
      'http://shop.example.com',
      'null',
      'http://localhost:5173',
    ];
    for (const origin of origins) {
      it(`refuses Origin ${origin} on a live widget`, async ({
        server,
        widget: { clientKey: liveKey },
      }) => {
        const res = await request(server.baseUrl, configPath(liveKey), { origin });
        expectTextError(res, 403, 'Origin not in allowlist');
      });
    }

    it('echoes a syntactically valid refused Origin so the widget can read the message', async ({
      server,
      widget: { clientKey: liveKey },
    }) => {
      const res = await request(server.baseUrl, configPath(liveKey), {
        origin: 'https://evil.example',
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://evil.example');
    });
  });

  describe('404 "Unknown client_key"', () => {
    it('answers 404 for a well-formed key that does not exist', async ({ server }) => {
      const res = await request(server.baseUrl, configPath(`pk_live_${'Z'.repeat(24)}`), {
        origin: ORIGIN,
      });
      expectTextError(res, 404, 'Unknown client_key');
    });

    it('answers 404 for a disabled widget, also without Origin', async ({ server }) => {
      const { clientKey } = await server.createWidget({ origins: [ORIGIN] });
      expect((await request(server.baseUrl, configPath(clientKey))).status).toBe(200);
      await setWidgetDisabled({ store: server.store, clock: server.clock }, clientKey, true);
      expectTextError(
        await request(server.baseUrl, configPath(clientKey), { origin: ORIGIN }),
        404,
        'Unknown client_key',
      );
      expectTextError(
        await request(server.baseUrl, configPath(clientKey)),
        404,
        'Unknown client_key',
      );
    });

    it('answers 200 again once the widget is re-enabled', async ({ server }) => {
      const { clientKey } = await server.createWidget({ origins: [ORIGIN] });
      const deps = { store: server.store, clock: server.clock };
      await setWidgetDisabled(deps, clientKey, true);
      expect((await request(server.baseUrl, configPath(clientKey))).status).toBe(404);
      await setWidgetDisabled(deps, clientKey, false);
      expect((await request(server.baseUrl, configPath(clientKey))).status).toBe(200);
    });
  });

  describe('HEAD', () => {
    it('answers HEAD with 200, the same ETag and caching headers, and no body', async ({
      server,
      widget: { clientKey: liveKey },
    }) => {
      const get = await request(server.baseUrl, configPath(liveKey), { origin: ORIGIN });
      const head = await request(server.baseUrl, configPath(liveKey), {
        origin: ORIGIN,
        method: 'HEAD',
      });
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
      expect(head.headers.get('cache-control')).toBe('public, max-age=60');
      expect(head.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    });

    it('answers HEAD with the same error status as GET', async ({ server }) => {
      const head = await request(server.baseUrl, `${CONFIG}?client_key=bad`, { method: 'HEAD' });
      expect(head.status).toBe(400);
      expect(head.text).toBe('');
      expect(head.headers.get('cache-control')).toBe('no-store');
    });
  });
});
