import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ORIGIN, PATHS, visitorBody, withServer } from '../test-support/flowsHelpers.js';
import { request } from '../test-support/http.js';
import { createLogger } from './logger.js';
import { expectTextError } from '../test-support/expectTextError.js';

/** The production logger at `level`, writing into memory. */
function logsAt(level: 'info' | 'warn') {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
const warnLogs = () => logsAt('warn');

describe('request log at info (the shipped level)', () => {
  it('writes one line per request with its id, method, route, status, address and latency, and no path it does not know', async () => {
    const logs = logsAt('info');
    await withServer({ logger: logs.logger }, async (server) => {
      const { clientKey } = await server.createWidget({ origins: [ORIGIN] });
      const ok = await request(server.baseUrl, PATHS.guest, { origin: ORIGIN, body: { client_key: clientKey } });
      const missing = await request(server.baseUrl, '/api/v1/sk_live_not_a_route', { method: 'GET' });
      expect(missing.status).toBe(404);
      const lines = logs.records().filter((r) => r.msg === 'request completed');
      expect(lines).toEqual([
        expect.objectContaining({
          level: 30,
          requestId: ok.headers.get('x-request-id'),
          req: { method: 'POST' },
          res: { statusCode: 200 },
          route: PATHS.guest,
          ip: expect.any(String) as unknown,
          latencyMs: expect.any(Number) as unknown,
        }),
        expect.objectContaining({ requestId: missing.headers.get('x-request-id'), res: { statusCode: 404 }, route: null }),
      ]);
    });
  });

  it('writes a client address sent through a proxy with quotes and braces as one valid line, its text escaped, every other field its own', async () => {
    const logs = logsAt('info');
    // proxy-addr takes the last comma-separated hop, so the forgery has no comma.
    const forged = '203.0.113.9"}{"level":60 "route":"/admin\\';
    await withServer({ logger: logs.logger, env: { KATAVEN_TRUST_PROXY: '1' } }, async (server) => {
      const res = await request(server.baseUrl, '/healthz', { method: 'GET', headers: { 'x-forwarded-for': forged } });
      expect(res.status).toBe(200);
    });
    const lines = logs.records().filter((r) => r.msg === 'request completed');
    expect(lines).toEqual([expect.objectContaining({ level: 30, ip: forged, route: '/healthz', res: { statusCode: 200 } })]);
  });

  it('writes a 5xx once, as request failed at error level', async () => {
    const logs = logsAt('info');
    await withServer({ logger: logs.logger }, async (server) => {
      const { clientKey } = await server.createWidget({ origins: [ORIGIN] });
      const visitor = visitorBody(await request(server.baseUrl, PATHS.guest, { origin: ORIGIN, body: { client_key: clientKey } }));
      await server.store.close();
      const res = await request(server.baseUrl, PATHS.exchange, { origin: ORIGIN, body: { token: visitor.token } });
      expectTextError(res, 500, 'Internal server error');
      const lines = logs.records().filter((r) => r.requestId === res.headers.get('x-request-id') && String(r.msg).startsWith('request '));
      expect(lines).toEqual([expect.objectContaining({ level: 50, msg: 'request failed', res: { statusCode: 500 }, route: PATHS.exchange })]);
    });
  });
});

describe('request log below info', () => {
  it('writes no line for requests that succeed or fail on the client side', async () => {
    const logs = warnLogs();
    await withServer({ logger: logs.logger }, async (server) => {
      const { clientKey } = await server.createWidget({ origins: [ORIGIN] });
      visitorBody(await request(server.baseUrl, PATHS.guest, { origin: ORIGIN, body: { client_key: clientKey } }));
      expectTextError(await request(server.baseUrl, PATHS.guest, { origin: ORIGIN, body: {} }), 400, 'Missing client_key');
    });
    expect(logs.records().filter((r) => r.msg === 'request completed' || r.msg === 'request failed')).toEqual([]);
  });

  it('still writes the request failed line, with request id, route and status, for a 5xx', async () => {
    const logs = warnLogs();
    await withServer({ logger: logs.logger }, async (server) => {
      const { clientKey } = await server.createWidget({ origins: [ORIGIN] });
      const visitor = visitorBody(await request(server.baseUrl, PATHS.guest, { origin: ORIGIN, body: { client_key: clientKey } }));
      // The database goes away under the running service.
      await server.store.close();
      const res = await request(server.baseUrl, PATHS.exchange, { origin: ORIGIN, body: { token: visitor.token } });
      expectTextError(res, 500, 'Internal server error');
      const line = logs.records().find((r) => r.msg === 'request failed');
      expect(line).toMatchObject({
        level: 50,
        requestId: res.headers.get('x-request-id'),
        req: { method: 'POST' },
        res: { statusCode: 500 },
        route: PATHS.exchange,
        latencyMs: expect.any(Number) as unknown,
      });
    });
  });
});

describe('request log for a client that goes away', () => {
  it('writes request aborted, once, for an answer the client hung up on', async () => {
    const logs = logsAt('info');
    await withServer({ logger: logs.logger }, async (server) => {
      const { port } = new URL(server.baseUrl);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      // The body never arrives in full: the request is still being read when the client leaves.
      socket.write(`POST ${PATHS.guest} HTTP/1.1\r\nHost: localhost\r\nOrigin: ${ORIGIN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"client_key":`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
      await expect.poll(() => logs.records().filter((r) => r.msg === 'request aborted'), { timeout: 2000 }).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const lines = logs.records().filter((r) => r.route === PATHS.guest);
      expect(lines).toEqual([expect.objectContaining({ level: 30, msg: 'request aborted', req: { method: 'POST' }, route: PATHS.guest })]);
    });
  });
});
