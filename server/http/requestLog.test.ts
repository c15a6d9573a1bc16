import { describe, expect, it } from 'vitest';
import { ORIGIN, PATHS, visitorBody, withServer } from '../test-support/flowsHelpers.js';
import { request } from '../test-support/http.js';
import { createLogger } from './logger.js';
import { expectTextError } from '../test-support/expectTextError.js';

/** The production logger at `warn` (the benchmark's level), writing into memory. */
function warnLogs() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

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
