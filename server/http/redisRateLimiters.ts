import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterFactory } from './rateLimit.js';

/** Rate-limit counters shared by every instance through one Redis. */
export interface RedisRateLimiters {
  factory: RateLimiterFactory;
  /** True while counts go to Redis; false while it is unreachable and each instance counts alone. */
  isShared(): boolean;
  /** Ends the connection (shutdown); nothing is logged about it. */
  close(): Promise<void>;
}

export interface RedisRateLimitersOptions {
  url: string;
  /** Leads every key, so several deployments can share one Redis. */
  keyPrefix: string;
  logger: Logger;
}

/**
 * Requests must not wait on a dead Redis: commands are refused at once while the connection is
 * down (no offline queue, `rejectIfRedisNotReady`); on a connection that looks up, an answer
 * missing after `commandTimeout` is a failure (and drops the connection, below), so only the
 * requests in flight when Redis hangs wait that long. A command lost with its connection fails
 * at once rather than being sent again: the insurance limiter has counted that request already.
 */
const CLIENT_OPTIONS: RedisOptions = {
  connectionName: 'kataven-rate-limits',
  connectTimeout: 1000,
  commandTimeout: 1000,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  // Half-open connections (a peer gone without a FIN) are found by TCP keep-alive probes.
  keepAlive: 10_000,
  // Exponential to 2 s, jittered so that many instances do not reconnect in step.
  retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt - 1, 5), 2000) * (0.5 + Math.random() / 2),
};

/** The per-instance counter used while Redis fails; tells its owner each time it stands in. */
class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    options: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly onStandIn: () => void,
  ) {
    super(options);
  }

  override consume(...args: Parameters<RateLimiterMemory['consume']>): Promise<RateLimiterRes> {
    this.onStandIn();
    return super.consume(...args);
  }

  override reward(...args: Parameters<RateLimiterMemory['reward']>): Promise<RateLimiterRes> {
    this.onStandIn();
    return super.reward(...args);
  }
}

/**
 * rate-limiter-flexible's `RateLimiterRedis` (one atomic Lua script per count) over one ioredis
 * connection, with an in-memory insurance limiter per policy. While Redis is unreachable each
 * instance enforces every limit on its own traffic, so the service keeps answering and a client
 * can get at most N times a limit across N instances. The outage is logged once when it starts
 * (warn) and once when Redis is back (info); counts kept in memory meanwhile are not copied back.
 */
export function createRedisRateLimiters(options: RedisRateLimitersOptions): RedisRateLimiters {
  const { logger } = options;
  const client = new Redis(options.url, CLIENT_OPTIONS);
  let state: 'connecting' | 'shared' | 'per-instance' = 'connecting';
  let closing = false;
  let lastError: string | undefined;

  client.on('error', (error: Error) => {
    lastError = error.message;
  });
  client.on('ready', () => {
    if (closing || state === 'shared') return;
    const recovered = state === 'per-instance';
    state = 'shared';
    lastError = undefined;
    logger.info(
      { event: 'rate_limits_shared' },
      recovered ? 'Redis is back: rate limits are shared again' : 'rate limits are shared through Redis',
    );
  });
  client.on('close', () => {
    if (closing || state === 'per-instance') return;
    state = 'per-instance';
    logger.warn(
      { event: 'rate_limits_per_instance', err: { message: lastError ?? 'connection closed' } },
      'Redis unreachable: rate limits are counted per instance until it is back',
    );
  });

  // A command failed on a connection that looks alive (a hung or partitioned Redis): drop it, so
  // the next requests go straight to the insurance limiter instead of each waiting for a timeout.
  // Destroyed rather than ended: a graceful end would wait for a peer that does not answer.
  const storeFailed = () => {
    if (!closing && client.status === 'ready') client.stream.destroy();
  };

  return {
    factory: (policy) => {
      const limits = { points: policy.points, duration: policy.windowSeconds };
      return new RateLimiterRedis({
        ...limits,
        storeClient: client,
        rejectIfRedisNotReady: true,
        keyPrefix: `${options.keyPrefix}:ratelimit:${policy.name}`,
        insuranceLimiter: new InsuranceLimiter({ ...limits, keyPrefix: policy.name }, storeFailed),
      });
    },
    isShared: () => state === 'shared',
    async close() {
      closing = true;
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
