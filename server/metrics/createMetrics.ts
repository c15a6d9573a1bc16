import { Counter, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from './collectProcessMetrics.js';
import { routesByPath } from '../http/routeTable.js';
import {
  INVALID_API_KEY_REASONS,
  ORIGIN_CHECK_ROUTES,
  OTHER,
  RATE_LIMIT_NAMES,
  REUSED_TOKENS,
  STATUS_CLASSES,
  STORE_OPERATIONS,
  TOKEN_KINDS,
  UNMATCHED_ROUTE,
  type TimedStoreOperation,
  type TokenKind,
} from './metricLabels.js';

type CounterChild = Counter.Internal;
type HistogramChild = Histogram.Internal<string>;

/** One route's series, created once so recording a request builds no label objects. */
export interface RouteSeries {
  /** Indexed by `Math.floor(status / 100) - 1`. */
  requests: readonly CounterChild[];
  duration: HistogramChild;
  /** The token a 200 from this route issued, if it issues one. */
  issued: CounterChild | undefined;
}

/** Counters keyed by a fixed set of names; anything outside it is counted as `other`. */
export interface LabelledCounter {
  inc(label: string): void;
}

export interface Metrics {
  registry: Registry;
  /** Series by contract route key; unknown paths under `UNMATCHED_ROUTE`. */
  routes: ReadonlyMap<string, RouteSeries>;
  unmatched: RouteSeries;
  storeDuration: Readonly<Record<TimedStoreOperation, HistogramChild>>;
  exchanges: CounterChild;
  rotations: CounterChild;
  graceRetries: CounterChild;
  sessionsRevoked: CounterChild;
  reuseDetected: LabelledCounter;
  rateLimited: LabelledCounter;
  originDenied: LabelledCounter;
  invalidApiKey: LabelledCounter;
  shed: CounterChild;
}

/** Seconds; the request bounds bracket the overload shedding's target (a few hundred ms). */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** Which token a 200 from a route issued. */
const ISSUED_BY_ROUTE: Readonly<Record<string, TokenKind>> = {
  guest: 'visitor_guest',
  userToken: 'visitor_user',
  exchange: 'session',
  refresh: 'session',
};

/** A counter series exported at 0 from the start, so `rate()` and absence alerts see it before its first event. */
function zeroed(child: CounterChild): CounterChild {
  child.inc(0);
  return child;
}

function labelledCounter(registry: Registry, name: string, help: string, label: string, values: readonly string[]): LabelledCounter {
  const counter = new Counter({ name, help, labelNames: [label], registers: [registry] });
  const children = new Map<string, CounterChild>([...values, OTHER].map((value) => [value, zeroed(counter.labels(value))]));
  const other = children.get(OTHER) as CounterChild;
  return { inc: (value) => (children.get(value) ?? other).inc() };
}

function plainCounter(registry: Registry, name: string, help: string): CounterChild {
  return new Counter({ name, help, registers: [registry] });
}

/**
 * The service's Prometheus metrics on their own registry, every label child created here from
 * the fixed label sets in `metricLabels.ts` (counters exported at 0, histograms from their first
 * observation). Also Node's process metrics (CPU, memory, event-loop lag) from prom-client's
 * defaults.
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectProcessMetrics(registry);

  const requests = new Counter({
    name: 'kataven_http_requests_total',
    help: 'Requests answered by the application, by contract route and status class.',
    labelNames: ['route', 'status_class'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'kataven_http_request_duration_seconds',
    help: 'Time from a request reaching the application to its answer being written, by contract route.',
    labelNames: ['route'],
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const issued = new Counter({
    name: 'kataven_tokens_issued_total',
    help: 'Tokens issued: visitor tokens (guest, user) and session JWTs (exchange and refresh).',
    labelNames: ['kind'],
    registers: [registry],
  });
  const issuedByKind = new Map(TOKEN_KINDS.map((kind) => [kind, zeroed(issued.labels(kind))]));
  const seriesFor = (route: string): RouteSeries => {
    const kind = ISSUED_BY_ROUTE[route];
    return {
      requests: STATUS_CLASSES.map((statusClass) => zeroed(requests.labels(route, statusClass))),
      duration: duration.labels(route),
      issued: kind === undefined ? undefined : issuedByKind.get(kind),
    };
  };
  const routes = new Map([...routesByPath.values()].map((route) => [route.key, seriesFor(route.key)]));

  const storeHistogram = new Histogram({
    name: 'kataven_store_operation_duration_seconds',
    help: 'Store (database) operation latency, by operation.',
    labelNames: ['operation'],
    buckets: STORE_BUCKETS,
    registers: [registry],
  });
  const storeDuration = Object.fromEntries(
    Object.entries(STORE_OPERATIONS)
      .filter(([, timed]) => timed)
      .map(([operation]) => [operation, storeHistogram.labels(operation)]),
  ) as Record<TimedStoreOperation, HistogramChild>;

  return {
    registry,
    routes,
    unmatched: seriesFor(UNMATCHED_ROUTE),
    storeDuration,
    exchanges: plainCounter(registry, 'kataven_exchanges_total', 'Visitor tokens exchanged for a new session.'),
    rotations: plainCounter(registry, 'kataven_refresh_rotations_total', 'Refresh tokens rotated (spent, successor issued).'),
    graceRetries: plainCounter(
      registry,
      'kataven_refresh_grace_retries_total',
      'Spent refresh tokens presented again within the grace window and answered with their successor.',
    ),
    sessionsRevoked: plainCounter(registry, 'kataven_sessions_revoked_total', 'Sessions revoked: logout, reuse or replay detection, user revocation.'),
    reuseDetected: labelledCounter(
      registry,
      'kataven_token_reuse_detected_total',
      'Spent tokens presented again: refresh tokens after the grace window, visitor tokens at any time.',
      'token',
      REUSED_TOKENS,
    ),
    rateLimited: labelledCounter(registry, 'kataven_rate_limited_total', 'Requests refused with 429, by limit.', 'limit', RATE_LIMIT_NAMES),
    originDenied: labelledCounter(registry, 'kataven_origin_denied_total', 'Requests refused because of their Origin, by route.', 'route', ORIGIN_CHECK_ROUTES),
    invalidApiKey: labelledCounter(
      registry,
      'kataven_invalid_api_key_total',
      'user-token requests refused with 401, by reason.',
      'reason',
      INVALID_API_KEY_REASONS,
    ),
    shed: plainCounter(registry, 'kataven_overload_shed_total', 'Requests answered 503 Service overloaded (load shedding).'),
  };
}
