import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { apiErrors } from '../../contract/index.js';
import { pathOf, writeTextAnswer } from '../http/writeTextAnswer.js';

/**
 * The private listener `KATAVEN_METRICS_PORT` opens: `GET /metrics` only, without authentication
 * (reachability is the access control, as for Prometheus' own scrape targets), nothing else.
 */
export function createMetricsServer(registry: Registry): Server {
  return createServer((req, res) => {
    if (pathOf(req) !== '/metrics') {
      writeTextAnswer(req, res, apiErrors.not_found.status, apiErrors.not_found.message);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      writeTextAnswer(req, res, apiErrors.method_not_allowed.status, apiErrors.method_not_allowed.message, ['Allow', 'GET, HEAD']);
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => writeTextAnswer(req, res, apiErrors.server_error.status, apiErrors.server_error.message),
    );
  });
}
