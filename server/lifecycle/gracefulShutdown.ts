import type { Server } from 'node:http';
import type { Logger } from 'pino';

export interface ShutdownOptions {
  server: Server;
  /** SIGTERM: how long the server keeps serving while `/readyz` fails, for the load balancer to notice. */
  delayMs: number;
  /** How long in-flight requests get once the server stops accepting. */
  timeoutMs: number;
  logger: Logger;
  /** Stops everything else (timers, other listeners, the store); called once the server closed. */
  release(): Promise<void>;
}

export interface GracefulShutdown {
  /** True from the signal on: `/readyz` answers 503. */
  draining(): boolean;
  /** True once the server stopped accepting: answers carry `Connection: close`. */
  closing(): boolean;
  /** Runs the whole sequence once and resolves with the exit code (0: nothing was cut off). */
  stop(signal: string, options: { delay: boolean }): Promise<number>;
}

/** How often connections that became idle during the drain are closed. */
const IDLE_SWEEP_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The zero-downtime stop: readiness fails at once, the server keeps serving through the delay
 * (a Kubernetes endpoint removal races the signal), then stops accepting, lets in-flight requests
 * finish with `Connection: close` so no keep-alive client sends one more on a closing socket,
 * closes connections as they go idle, and cuts what is left after the timeout.
 */
export function createGracefulShutdown(options: ShutdownOptions): GracefulShutdown {
  let draining = false;
  let closing = false;
  let stopped: Promise<number> | undefined;

  async function run(signal: string, delay: boolean): Promise<number> {
    draining = true;
    const delayMs = delay ? options.delayMs : 0;
    options.logger.info({ event: 'stopping', signal, delayMs, timeoutMs: options.timeoutMs }, 'readiness failing; draining');
    if (delayMs > 0) await sleep(delayMs);
    closing = true;
    const closed = new Promise<void>((resolve) => options.server.close(() => resolve()));
    const sweep = setInterval(() => options.server.closeIdleConnections(), IDLE_SWEEP_MS);
    options.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), options.timeoutMs);
    });
    const cut = await Promise.race([closed.then(() => false), timedOut]);
    clearInterval(sweep);
    clearTimeout(timer);
    if (cut) {
      options.logger.warn({ event: 'shutdown_timeout', timeoutMs: options.timeoutMs }, 'in-flight requests cut off at the shutdown timeout');
      options.server.closeAllConnections();
    }
    await options.release();
    options.logger.info({ event: 'stopped', signal }, 'stopped');
    return cut ? 1 : 0;
  }

  return {
    draining: () => draining,
    closing: () => closing,
    stop(signal, { delay }) {
      stopped ??= run(signal, delay);
      return stopped;
    },
  };
}
