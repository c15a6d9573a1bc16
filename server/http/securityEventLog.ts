import type { Logger } from 'pino';
import type { SecurityEvent, SecurityEvents } from '../flows/securityEvents.js';

/** Caller-supplied text (an `Origin` can be 8 KB of anything) is cut so one request cannot write a huge line. */
const MAX_FIELD_CHARS = 256;

function bounded(event: SecurityEvent): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(event).map(([name, value]) => [
      name,
      typeof value === 'string' && value.length > MAX_FIELD_CHARS
        ? `${value.slice(0, MAX_FIELD_CHARS)}…`
        : value,
    ]),
  );
}

/** Where the security events of one request go, tagged with its id. */
export type SecurityEventLog = (requestId: string | undefined) => SecurityEvents;

/**
 * Security events as their own `warn` lines: the stable event name is both the `event` field and
 * the message, and `requestId` ties the line to its request's line. The id is bound per request
 * rather than read from an AsyncLocalStorage: on Node 20 a live AsyncLocalStorage installs a
 * promise hook that taxes every promise of every request.
 */
export function securityEventLog(logger: Logger): SecurityEventLog {
  return (requestId) => ({
    emit: (event) => logger.warn({ ...bounded(event), requestId: requestId ?? null }, event.event),
  });
}
