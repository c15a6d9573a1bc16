import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { apiErrors } from '../../contract/index.js';

function answerText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

/**
 * The private listener `KATAVEN_METRICS_PORT` opens: `GET /metrics` only, without authentication
 * (reachability is the access control, as for Prometheus' own scrape targets), nothing else.
 */
export function createMetricsServer(registry: Registry): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      answerText(res, apiErrors.not_found.status, apiErrors.not_found.message);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      answerText(res, apiErrors.method_not_allowed.status, apiErrors.method_not_allowed.message, { Allow: 'GET, HEAD' });
      return;
    }
    registry.metrics().then(
      (text) => answerText(res, 200, req.method === 'HEAD' ? '' : text, { 'Content-Type': registry.contentType }),
      () => answerText(res, apiErrors.server_error.status, apiErrors.server_error.message),
    );
  });
}
