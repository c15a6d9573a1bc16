import type { Request, Response } from 'express';
import type { RequestLog } from '../http/requestLog.js';
import { routesByPath } from '../http/routeTable.js';
import { elapsedMs } from '../http/requestTiming.js';
import type { Metrics } from './createMetrics.js';

/**
 * Counts and times every request the application answers, beside the request log: one shared
 * `finish` listener reading the request from its response and the start from the edge's stamp, so
 * a request allocates no closure and no label object and adds no property of its own.
 */
export function withRequestMetrics(log: RequestLog, metrics: Metrics): RequestLog {
  function onFinish(this: Response) {
    const elapsed = elapsedMs(this);
    if (elapsed === undefined) return;
    const route = routesByPath.get(this.req.path);
    const series = (route && metrics.routes.get(route.key)) ?? metrics.unmatched;
    const status = this.statusCode;
    series.requests[Math.min(4, Math.max(0, Math.floor(status / 100) - 1))]?.inc();
    series.duration.observe(elapsed / 1000);
    if (status === 200) series.issued?.inc();
  }
  return {
    begin(req: Request, res: Response) {
      res.on('finish', onFinish);
      log.begin(req, res);
    },
    failed: (req, res) => log.failed(req, res),
  };
}
