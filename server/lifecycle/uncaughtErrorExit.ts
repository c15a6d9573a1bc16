import type { RequestListener } from 'node:http';
import { inspect } from 'node:util';
import type { Logger } from 'pino';
import { drainLogs } from '../http/logger.js';

export interface UncaughtErrorExitOptions {
  logger: Logger;
  /** Closes the listener. */
  stopAccepting(): void;
  /** The longest to wait for a log write already under way. */
  drainWaitMs: number;
  writeStderr(text: string): void;
  exit(code: number): void;
}

export interface UncaughtErrorExit {
  /** The server's listener, cut off from the first uncaught error on: the socket is destroyed unanswered. */
  guard(listener: RequestListener): RequestListener;
  /** For `process.on('uncaughtException')`. */
  handle(error: unknown): void;
}

/**
 * Ends the process as Node's default does (the error on stderr, exit code 1), but only once every
 * line logged before the error is written, then the error as the log's last line, at `fatal`:
 * lines are written asynchronously. Meanwhile the listener is closed and requests on open
 * connections are cut off rather than served from a state that is now unknown.
 */
export function createUncaughtErrorExit(options: UncaughtErrorExitOptions): UncaughtErrorExit {
  const uncaught: unknown[] = [];
  return {
    guard: (listener) => (req, res) => (uncaught.length > 0 ? req.socket.destroy() : listener(req, res)),
    handle(error) {
      options.writeStderr(`Uncaught ${inspect(error)}\n`);
      uncaught.push(error);
      if (uncaught.length > 1) return;
      options.stopAccepting();
      void drainLogs(options.logger, options.drainWaitMs).finally(() => {
        // pino writes a fatal line synchronously, so only now does it land after the lines before it.
        for (const err of uncaught) options.logger.fatal({ event: 'uncaught_exception', err }, 'uncaught exception');
        options.exit(1);
      });
    },
  };
}
