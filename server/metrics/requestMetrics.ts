import type { Response } from 'express';
import { routesByPath } from '../http/routeTable.js';
import { elapsedMs } from '../http/requestTiming.js';
import type { ResponseWatcher } from '../http/responseCompletion.js';
import type { Metrics } from './createMetrics.js';

/**
 * Counts and times every answer the application finishes, beside the request log: it reads the
 * request from its response and the start from the edge's stamp, so a request allocates no
 * closure and no label object and adds no property of its own.
 */
export function requestMetrics(metrics: Metrics): ResponseWatcher {
  return {
    finished(res: Response) {
      const elapsed = elapsedMs(res);
      if (elapsed === undefined) return;
      const route = routesByPath.get(res.req.path);
      const series = (route && metrics.routes.get(route.key)) ?? metrics.unmatched;
      const status = res.statusCode;
      series.requests[Math.min(4, Math.max(0, Math.floor(status / 100) - 1))]?.inc();
      series.duration.observe(elapsed / 1000);
      if (status === 200) series.issued?.inc();
    },
  };
}
