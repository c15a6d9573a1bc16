import { createRequire } from 'node:module';
import { collectDefaultMetrics, type Registry } from 'prom-client';

type Collector = (registry: Registry, config: { eventLoopMonitoringPrecision: number }) => void;

const require = createRequire(import.meta.url);

/**
 * The collectors `collectDefaultMetrics` would install are left out for `gc`: its
 * `PerformanceObserver` on GC entries made every garbage collection dearer and cost the service
 * more than all its own metrics together (docs/performance.md, "GC duration left out of the
 * metrics"). The rest (CPU, memory, heap, handles, file descriptors, event-loop lag) stay.
 */
const LEFT_OUT = new Set(['gc']);

/** prom-client's default process and Node.js metrics, without the GC duration histogram. */
export function collectProcessMetrics(registry: Registry): void {
  for (const name of collectDefaultMetrics.metricsList) {
    if (LEFT_OUT.has(name)) continue;
    // The collectors are prom-client's own modules, one per name of its `metricsList`.
    const collector = require(`prom-client/lib/metrics/${name}.js`) as Collector;
    collector(registry, { eventLoopMonitoringPrecision: 10 });
  }
}
