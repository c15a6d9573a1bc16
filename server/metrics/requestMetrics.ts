import type { Request, Response } from 'express';
import type { RequestLog } from '../http/requestLog.js';
import { routesByPath } from '../http/routeTable.js';
import type { Metrics, RouteSeries } from './createMetrics.js';

const STARTED_AT = Symbol('metricsStartedAt');
const SERIES = Symbol('metricsSeries');
type Measured = Response & { [STARTED_AT]?: number; [SERIES]?: RouteSeries };

/**
 * Counts and times every request the application answers, beside the request log: one shared
 * `finish` listener reading its state from the response, so a request allocates no closure and
 * no label object.
 */
export function withRequestMetrics(log: RequestLog, metrics: Metrics): RequestLog {
  function onFinish(this: Measured) {
    const series = this[SERIES];
    const startedAt = this[STARTED_AT];
    if (series === undefined || startedAt === undefined) return;
    const status = this.statusCode;
    series.requests[Math.min(4, Math.max(0, Math.floor(status / 100) - 1))]?.inc();
    series.duration.observe((performance.now() - startedAt) / 1000);
    if (status === 200) series.issued?.inc();
  }
  return {
    begin(req: Request, res: Response) {
      const measured = res as Measured;
      measured[STARTED_AT] = performance.now();
      const route = routesByPath.get(req.path);
      measured[SERIES] = (route && metrics.routes.get(route.key)) ?? metrics.unmatched;
      res.on('finish', onFinish);
      log.begin(req, res);
    },
    failed: (req, res) => log.failed(req, res),
  };
}
