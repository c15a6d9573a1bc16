import { writeSync } from 'node:fs';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import pino, { type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import { lineBatches } from './lineBatches.js';

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

/**
 * A pipe that drains slower than lines are written fills this buffer instead of blocking the
 * event loop; past it lines are dropped rather than growing the heap without bound.
 */
const STDOUT_BUFFER_LIMIT = 16 * 1024 * 1024;

/** Lines are written in batches of about this many bytes: one write per line would cost a thread-pool round trip and a pipe wake-up each. */
const WRITE_BATCH_CHARS = 4096;

/** The longest a line waits for its batch at low traffic. */
const FLUSH_EVERY_MS = 100;

/**
 * A file descriptor written asynchronously (a slow log shipper delays lines, never requests), in
 * batches. The process's exit writes out what is still held, as pino does for its own destination.
 */
export function batchedDestination(fd: number): DestinationStream {
  // Batches reach sonic-boom whole, so it starts a write on each full one and on every flush.
  const sonic = pino.destination({ dest: fd, sync: false, maxLength: STDOUT_BUFFER_LIMIT, minLength: WRITE_BATCH_CHARS });
  const batches = lineBatches(
    {
      write: (data) => sonic.write(data),
      flush: (done) => {
        sonic.flush(done);
      },
      flushSync: () => {
        sonic.flushSync();
      },
      writeSync: (data) => {
        writeSync(fd, data);
      },
    },
    { batchChars: WRITE_BATCH_CHARS, flushEveryMs: FLUSH_EVERY_MS },
  );
  process.once('exit', () => {
    try {
      batches.flushSync();
    } catch {
      // Nothing is left to report a log that cannot be written to.
    }
  });
  return batches;
}

/** The service's JSON logger: one object per line, secrets censored, errors reduced to name, message and stack. */
export function createLogger({ level, destination = batchedDestination(process.stdout.fd) }: LoggerOptions): Logger {
  return pino(
    {
      level,
      redact: { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' },
      serializers: { err: serializeError },
    },
    destination,
  );
}

/** Where a logger's lines go, and the fields it writes after `time` on every line (pid, hostname). */
export interface LineSink {
  bindings: string;
  write: (line: string) => void;
}

/**
 * The logger's destination, for lines whose every field the service builds itself (the request
 * line): written as a template they skip redaction's path walk and pino's per-key serializing.
 */
export function lineSinkOf(logger: Logger): LineSink {
  const destination = destinationOf(logger);
  const bindings = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? '';
  return {
    bindings,
    write: (line) => {
      destination.write(line);
    },
  };
}

function destinationOf(logger: Logger): DestinationStream {
  return (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym] as DestinationStream;
}

type FlushableDestination = DestinationStream & { flush?: (done: (error?: Error) => void) => void; flushSync?: () => void };

/**
 * Writes out every buffered line, in order, for the exit paths (shutdown, a crash), where nothing
 * runs afterwards. A write already handed to libuv's pool is waited for first (at most `waitMs`):
 * a synchronous flush alongside it could land before it, or outlive a process that exits before
 * the pool ran it.
 */
export async function drainLogs(logger: Logger, waitMs: number): Promise<void> {
  const destination = destinationOf(logger) as FlushableDestination;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => {
      if (destination.flush === undefined) {
        resolve();
        return;
      }
      try {
        destination.flush(() => resolve());
      } catch {
        resolve();
      }
    }),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs))),
  ]);
  clearTimeout(timer);
  try {
    destination.flushSync?.();
  } catch {
    // Nothing is left to report a log that cannot be written to; the exit must still happen.
  }
}
