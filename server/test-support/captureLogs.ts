import type { Logger } from 'pino';
import { createLogger } from '../http/logger.js';

export interface CapturedLogs {
  /** The service's logger at level `trace`, writing into `lines`. */
  logger: Logger;
  /** Every line written, as written (JSON text, newline included). */
  readonly lines: string[];
  /** Every line parsed. */
  records(): Record<string, unknown>[];
  /** All output as one string: what a log shipper would receive. */
  text(): string;
}

/** The production logger configuration (redaction included), writing to memory instead of stdout. */
export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'trace',
    destination: { write: (line: string) => void lines.push(line) },
  });
  return {
    logger,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}
