import type { SecurityEvent, SecurityEvents } from '../flows/securityEvents.js';
import type { SecurityEventLog } from '../http/securityEventLog.js';
import type { Metrics } from './createMetrics.js';

function count(metrics: Metrics, event: SecurityEvent): void {
  switch (event.event) {
    case 'origin_denied':
      metrics.originDenied.inc(event.route);
      return;
    case 'rate_limited':
      metrics.rateLimited.inc(event.limit);
      return;
    case 'invalid_api_key':
      metrics.invalidApiKey.inc(event.reason);
      return;
    case 'refresh_reuse':
      metrics.reuseDetected.inc('refresh');
      return;
    case 'exchange_replay':
      metrics.reuseDetected.inc('visitor');
      return;
    case 'refresh_retry':
      metrics.graceRetries.inc();
      return;
  }
}

/** The security events, also counted (by event name and a fixed label, never an id or origin). */
export function withSecurityEventMetrics(log: SecurityEventLog, metrics: Metrics): SecurityEventLog {
  return (requestId) => {
    const events = log(requestId);
    const counted: SecurityEvents = {
      emit(event) {
        count(metrics, event);
        events.emit(event);
      },
    };
    return counted;
  };
}
