import { DrizzleQueryError } from 'drizzle-orm/errors';
import pino, { type DestinationStream, type LevelWithSilent, type Logger } from 'pino';

/**
 * Paths censored wherever they appear in a log line (pino `redact`, evaluated on every line):
 * credentials in headers, any body, and every field that carries a token or key. The request
 * log never serializes headers or bodies in the first place; this is the second line of defence
 * for anything a future log call passes in by mistake.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'authorization',
  'body',
  'req.body',
  'res.body',
  'err.body',
  '*.body',
  ...[
    'token',
    'refresh_token',
    'refreshToken',
    'secret_key',
    'secretKey',
    'client_secret',
    'password',
  ].flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** Only what identifies an error; never enumerable extras such as a parser's raw `body`. */
function serializeError(error: unknown): { type?: string | undefined; message?: string | undefined; stack?: string | undefined } {
  // drizzle's wrapper puts the SQL and its parameters (hashes, user ids) in its message: log the
  // database's own error instead.
  if (error instanceof DrizzleQueryError) return serializeError(error.cause);
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const { name, message, stack } = error as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { type: text(name), message: text(message), stack: text(stack) };
}

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where lines go; stdout by default. Tests pass a stream to read every line back. */
  destination?: DestinationStream;
}

/** The service's JSON logger: one object per line, secrets censored, errors reduced to name, message and stack. */
export function createLogger({ level, destination }: LoggerOptions): Logger {
  const options = {
    level,
    redact: { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' },
    serializers: { err: serializeError },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
