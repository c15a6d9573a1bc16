import { createServer, type RequestListener, type Server } from 'node:http';
import { serverOptions, type PresetPrototypes } from './presetPrototypes.js';

/**
 * Connection-level limits, in one place: what a slow, idle or oversized client may hold.
 * The application's own limits (16 KiB bodies, rate limits) sit above these.
 */
export interface ServerLimits {
  /** Whole header block must arrive within this (slowloris). Node answers 408 and closes. */
  headersTimeoutMs: number;
  /** Headers and body must arrive within this (slow POST). Node answers 408 and closes. */
  requestTimeoutMs: number;
  /** How often Node checks the two timeouts above; a check can fire this much late. */
  connectionsCheckingIntervalMs: number;
  /**
   * An idle keep-alive connection is closed after this. Behind a load balancer, set it above
   * the balancer's own idle timeout, or the balancer may reuse a connection as it closes.
   */
  keepAliveTimeoutMs: number;
  /** Requests served on one connection before it is closed (`Connection: close` on the last). */
  maxRequestsPerSocket: number;
  /** A socket with no traffic at all for this long is destroyed. */
  socketIdleTimeoutMs: number;
  /** Total size of the request line and headers; more is answered 431 by Node (llhttp). */
  maxHeaderSize: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  connectionsCheckingIntervalMs: 1_000,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 1_000,
  socketIdleTimeoutMs: 30_000,
  // Node's default, pinned so a `--max-http-header-size` flag cannot silently raise it.
  maxHeaderSize: 16 * 1024,
};

/**
 * The HTTP server for the app with every limit applied. The timeouts and header size are
 * construction options (Node reads `connectionsCheckingInterval` and `maxHeaderSize` only there),
 * so this creates the server rather than adjusting one. With `prototypes`, requests and responses
 * are created with the prototypes the Express app adopts (presetPrototypes.ts).
 */
export function createLimitedServer(
  handler: RequestListener,
  overrides: Partial<ServerLimits> = {},
  prototypes?: PresetPrototypes,
): Server {
  const limits = { ...DEFAULT_SERVER_LIMITS, ...overrides };
  const server = createServer(
    {
      ...serverOptions(prototypes),
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxHeaderSize: limits.maxHeaderSize,
    },
    handler,
  );
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  server.timeout = limits.socketIdleTimeoutMs;
  return server;
}
