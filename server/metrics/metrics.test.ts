import { randomBytes } from 'node:crypto';
import { expectTextError } from '../test-support/expectTextError.js';
import { describe, expect, it } from 'vitest';
import {
  FOREIGN_ORIGIN,
  ORIGIN,
  exchange,
  guestSession,
  guestToken,
  mintGuest,
  mintUser,
  refresh,
  sessionBody,
  withServer,
} from '../test-support/flowsHelpers.js';
import { request } from '../test-support/http.js';
import { PATHS } from '../test-support/paths.js';
import type { TestServer } from '../test-support/startTestServer.js';
import { createMetrics } from './createMetrics.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** `name{labels}` → value, for every sample line of a scrape. */
async function scrape(server: TestServer): Promise<Map<string, number>> {
  const res = await request(server.baseUrl, '/metrics', { headers: bearer(TOKEN) });
  expect(res.status, res.text).toBe(200);
  const samples = new Map<string, number>();
  for (const line of res.text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

const kataven = (samples: Map<string, number>) => [...samples.keys()].filter((key) => key.startsWith('kataven_')).sort();

const withMetrics = <T>(env: Record<string, string>, body: (server: TestServer) => Promise<T>) =>
  withServer({ env: { KATAVEN_METRICS_TOKEN: TOKEN, ...env }, metrics: createMetrics() }, body);

const randomText = () => randomBytes(9).toString('base64url');

describe('GET /metrics on the main port', () => {
  it('answers 404 Not found when no metrics token is configured', async () => {
    await withServer({ metrics: createMetrics() }, async (server) => {
      expectTextError(await request(server.baseUrl, '/metrics', { headers: bearer(TOKEN) }), 404, 'Not found');
    });
  });

  it('answers 401 with a Bearer challenge without the token or with another, and the Prometheus text with it', async () => {
    await withMetrics({}, async (server) => {
      const missing = await request(server.baseUrl, '/metrics');
      expectTextError(missing, 401, 'Missing or invalid metrics token');
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="kataven"');
      const wrong = await request(server.baseUrl, '/metrics', { headers: bearer(`${TOKEN}x`) });
      expectTextError(wrong, 401, 'Missing or invalid metrics token');
      expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="kataven", error="invalid_token"');
      expectTextError(await request(server.baseUrl, '/metrics', { headers: { authorization: TOKEN } }), 401, 'Missing or invalid metrics token');

      const ok = await request(server.baseUrl, '/metrics', { headers: bearer(TOKEN) });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(ok.text).toContain('# TYPE kataven_http_requests_total counter');
      expect(ok.text).toContain('# TYPE process_cpu_seconds_total counter');
      expect(ok.text).toContain('nodejs_eventloop_lag_seconds');
      expect(ok.text).toContain('# TYPE nodejs_heap_size_used_bytes gauge');
      expect(ok.text).toContain('# TYPE process_open_fds gauge');
      // Observing GC entries makes every collection dearer (docs/performance.md).
      expect(ok.text).not.toContain('nodejs_gc_duration_seconds');
    });
  });

  it('counts requests, tokens issued, exchanges, rotations, grace retries, reuse, revocations, origin denials, rate limits and store latency', async () => {
    await withMetrics({ KATAVEN_RATE_LIMITS: 'on', KATAVEN_RATE_LIMIT_USER_TOKEN_PER_KEY: '1/min' }, async (server) => {
      const { clientKey, secretKey } = await server.createWidget();
      const first = await guestSession(server, clientKey);
      const second = sessionBody(await refresh(server, first.refresh_token, ORIGIN));
      // Within the grace window: a retry answered with the same successor.
      expect(sessionBody(await refresh(server, first.refresh_token, ORIGIN)).refresh_token).toBe(second.refresh_token);
      server.clock.advance((server.config.refreshReuseGraceSeconds + 1) * 1000);
      // After it: reuse, and the session is revoked.
      expectTextError(await refresh(server, first.refresh_token, ORIGIN), 400, 'Missing or expired refresh_token');
      expectTextError(await mintGuest(server, clientKey, FOREIGN_ORIGIN), 403, 'Origin not in allowlist for this client_key');
      expect((await mintUser(server, clientKey, secretKey, { user_id: 'u_1' })).status).toBe(200);
      expect((await mintUser(server, clientKey, secretKey, { user_id: 'u_1' })).status).toBe(429);

      const m = await scrape(server);
      expect(m.get('kataven_http_requests_total{route="guest",status_class="2xx"}')).toBe(1);
      expect(m.get('kataven_http_requests_total{route="guest",status_class="4xx"}')).toBe(1);
      expect(m.get('kataven_http_requests_total{route="refresh",status_class="2xx"}')).toBe(2);
      expect(m.get('kataven_http_requests_total{route="refresh",status_class="4xx"}')).toBe(1);
      expect(m.get('kataven_http_request_duration_seconds_count{route="exchange"}')).toBe(1);
      expect(m.get('kataven_tokens_issued_total{kind="visitor_guest"}')).toBe(1);
      expect(m.get('kataven_tokens_issued_total{kind="visitor_user"}')).toBe(1);
      expect(m.get('kataven_tokens_issued_total{kind="session"}')).toBe(3);
      expect(m.get('kataven_exchanges_total')).toBe(1);
      expect(m.get('kataven_refresh_rotations_total')).toBe(1);
      expect(m.get('kataven_refresh_grace_retries_total')).toBe(1);
      expect(m.get('kataven_token_reuse_detected_total{token="refresh"}')).toBe(1);
      expect(m.get('kataven_sessions_revoked_total')).toBe(1);
      expect(m.get('kataven_origin_denied_total{route="guest"}')).toBe(1);
      expect(m.get('kataven_rate_limited_total{limit="user-token-key"}')).toBe(1);
      expect(m.get('kataven_store_operation_duration_seconds_count{operation="rotateRefreshToken"}')).toBe(1);
      expect(m.get('kataven_store_operation_duration_seconds_count{operation="consumeVisitorToken"}')).toBe(1);
    });
  });

  it('adds no series for a flood of random paths, client keys, origins, user ids and visitor tokens', async () => {
    await withMetrics({}, async (server) => {
      const { clientKey, secretKey } = await server.createWidget();
      // One request of each shape first, so every series the flood can touch exists.
      const shapes = async () => {
        const key = `pk_live_${randomText()}`;
        await Promise.all([
          request(server.baseUrl, `/${randomText()}/${randomText()}?client_key=${key}`),
          request(server.baseUrl, `${PATHS.config}?client_key=${key}`, { origin: `https://${randomText().toLowerCase()}.example` }),
          mintGuest(server, key, `https://${randomText().toLowerCase()}.example`),
          mintGuest(server, clientKey, `https://${randomText().toLowerCase()}.example`),
          mintUser(server, clientKey, secretKey, { user_id: randomText() }),
          exchange(server, randomText(), ORIGIN),
          refresh(server, `rt_${randomText()}`, ORIGIN),
        ]);
      };
      await guestToken(server, clientKey);
      await shapes();
      // A scrape is a request too: its own series exist from the second scrape on.
      await scrape(server);
      const before = kataven(await scrape(server));
      for (let i = 0; i < 60; i++) await shapes();
      const after = await scrape(server);
      expect(kataven(after)).toEqual(before);
      expect(after.get('kataven_http_requests_total{route="unmatched",status_class="4xx"}')).toBe(61);
    });
  });
});
