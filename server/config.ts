import * as z from 'zod';
import { DEFAULT_SESSION_AUDIENCE } from '../contract/claims.js';

const seconds = (fallback: number, name: string, max?: number) => {
  let schema = z.coerce.number().int({ error: `${name} must be a whole number of seconds` }).positive();
  if (max !== undefined) schema = schema.max(max, { error: `${name} must be at most ${max} seconds` });
  return schema.default(fallback);
};

const onOff = (fallback: 'on' | 'off') =>
  z
    .enum(['on', 'off', 'true', 'false', '1', '0'])
    .default(fallback)
    .transform((v) => v === 'on' || v === 'true' || v === '1');

const fractionalSeconds = (fallback: number, name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number of seconds` })
    .min(min, { error: `${name} must be at least ${min} seconds` })
    .max(max, { error: `${name} must be at most ${max} seconds` })
    .default(fallback);

/** `60/min`, `3000/min`, `5/s`, `100/h`: a request budget per window. */
const RATE = /^(\d+)\/(s|sec|min|h|hour)$/;
const rateLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => RATE.test(v), { error: 'must look like 60/min (units: s, min, h)' })
    .transform((v) => {
      const [, points, unit] = RATE.exec(v) ?? [];
      const windowSeconds = unit === 's' || unit === 'sec' ? 1 : unit === 'min' ? 60 : 3600;
      return { points: Number(points), windowSeconds };
    });

/** 32 bytes in base64 (`openssl rand -base64 32`). Messages never echo the value. */
const KEK_RULE = 'must be 32 random bytes in base64 (openssl rand -base64 32)';
const kek = () =>
  z
    .string()
    .refine((v) => /^[A-Za-z0-9+/_-]{42,43}=?$/.test(v) && Buffer.from(v, 'base64').length === 32, { error: KEK_RULE })
    .transform((v) => Buffer.from(v, 'base64'));

/** Every environment variable the service reads, with its default. Documented in the README. */
export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().optional(),
  DATABASE_URL: z.string().default('file:./data/kataven.sqlite'),
  KATAVEN_DB_POOL_SIZE: z.coerce
    .number()
    .int({ error: 'KATAVEN_DB_POOL_SIZE must be a whole number of connections' })
    .min(1)
    .max(1000)
    .default(10),
  KATAVEN_ISSUER: z.url().optional(),
  KATAVEN_SESSION_AUDIENCE: z.string().min(1).default(DEFAULT_SESSION_AUDIENCE),
  KATAVEN_VISITOR_TOKEN_TTL: seconds(120, 'KATAVEN_VISITOR_TOKEN_TTL', 3600),
  KATAVEN_SESSION_TOKEN_TTL: seconds(900, 'KATAVEN_SESSION_TOKEN_TTL', 86_400),
  KATAVEN_REFRESH_TOKEN_TTL: seconds(604_800, 'KATAVEN_REFRESH_TOKEN_TTL'),
  KATAVEN_SESSION_MAX_AGE: seconds(2_592_000, 'KATAVEN_SESSION_MAX_AGE'),
  // RFC 9700 §4.14.2 reuse detection weakens as the window grows, so it is capped at 60 s.
  KATAVEN_REFRESH_REUSE_GRACE: z.coerce.number().int().min(0).max(60, {
    error: 'KATAVEN_REFRESH_REUSE_GRACE must be at most 60 seconds',
  }).default(10),
  KATAVEN_DEMO: onOff('on'),
  KATAVEN_RATE_LIMITS: onOff('on'),
  KATAVEN_RATE_LIMIT_GUEST_PER_IP: rateLimit('60/min'),
  KATAVEN_RATE_LIMIT_GUEST_PER_WIDGET: rateLimit('3000/min'),
  KATAVEN_RATE_LIMIT_EXCHANGE_PER_IP: rateLimit('120/min'),
  KATAVEN_RATE_LIMIT_REFRESH_PER_IP: rateLimit('120/min'),
  KATAVEN_RATE_LIMIT_USER_TOKEN_PER_KEY: rateLimit('3000/min'),
  KATAVEN_TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  // The URL may carry a password: messages name the variable, never the value.
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\/[^/]/.test(v), { error: 'REDIS_URL must be a redis:// or rediss:// URL' })
    .optional(),
  KATAVEN_REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: 'KATAVEN_REDIS_KEY_PREFIX must be 1-64 of A-Z a-z 0-9 _ . : -' })
    .default('kataven'),
  KATAVEN_STARTUP_TIMEOUT: seconds(10, 'KATAVEN_STARTUP_TIMEOUT', 600),
  KATAVEN_KEY_ENCRYPTION_KEY: kek().optional(),
  // Comma-separated: keys the operator replaced, still accepted for reading until `signing-key rewrap`.
  KATAVEN_KEY_ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(kek()))
    .optional(),
  KATAVEN_SIGNING_KEY_ROTATION_DAYS: z.coerce
    .number()
    .int({ error: 'KATAVEN_SIGNING_KEY_ROTATION_DAYS must be a whole number of days' })
    .min(1)
    .max(3650)
    .optional(),
  KATAVEN_SHUTDOWN_DELAY: fractionalSeconds(5, 'KATAVEN_SHUTDOWN_DELAY', 0, 300),
  KATAVEN_SHUTDOWN_TIMEOUT: fractionalSeconds(10, 'KATAVEN_SHUTDOWN_TIMEOUT', 0.1, 600),
  KATAVEN_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  // A guessable token would expose the metrics to anyone who can reach the main port.
  KATAVEN_METRICS_TOKEN: z.string().min(16, { error: 'KATAVEN_METRICS_TOKEN must be at least 16 characters' }).optional(),
  // 0 turns load shedding off.
  KATAVEN_OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: z.coerce
    .number()
    .int({ error: 'KATAVEN_OVERLOAD_MAX_EVENT_LOOP_DELAY_MS must be a whole number of milliseconds' })
    .min(0)
    .max(60_000)
    .default(100),
  KATAVEN_OVERLOAD_MAX_IN_FLIGHT: z.coerce
    .number()
    .int({ error: 'KATAVEN_OVERLOAD_MAX_IN_FLIGHT must be a whole number of requests' })
    .min(1)
    .max(1_000_000)
    .default(128),
  KATAVEN_OVERLOAD_MAX_WAIT_MS: z.coerce
    .number()
    .int({ error: 'KATAVEN_OVERLOAD_MAX_WAIT_MS must be a whole number of milliseconds' })
    .min(0)
    .max(10_000)
    .default(100),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface RateRule {
  points: number;
  windowSeconds: number;
}

export interface Config {
  port: number;
  host: string | undefined;
  databaseUrl: string;
  /** PostgreSQL connections per instance. */
  dbPoolSize: number;
  issuer: string;
  sessionAudience: string;
  visitorTokenTtlSeconds: number;
  sessionTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  sessionMaxAgeSeconds: number;
  refreshReuseGraceSeconds: number;
  demo: boolean;
  rateLimits: {
    enabled: boolean;
    guestPerIp: RateRule;
    guestPerWidget: RateRule;
    exchangePerIp: RateRule;
    refreshPerIp: RateRule;
    userTokenPerKey: RateRule;
  };
  trustProxyHops: number;
  /** Shared rate-limit counters; absent: each instance counts in its own memory. */
  redis: { url: string; keyPrefix: string } | undefined;
  /** Opening and migrating the store must finish within this, or the start fails. */
  startupTimeoutSeconds: number;
  /** After SIGTERM `/readyz` fails at once; the server keeps serving this long before it stops accepting. */
  shutdownDelaySeconds: number;
  /** In-flight requests get this long to finish once the server stops accepting. */
  shutdownTimeoutSeconds: number;
  /** Where `/metrics` is served: a second listener, and/or the main port behind a bearer token. */
  metrics: { port: number | undefined; token: string | undefined };
  /** Event-loop delay past which requests are shed with 503 (0: load shedding off). */
  overloadMaxEventLoopDelayMs: number;
  /** Requests in progress past which new ones wait, newest admitted first. */
  overloadMaxInFlight: number;
  /** How long a request waits for a slot before it is answered 503. */
  overloadMaxWaitMs: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** Operator keys sealing the signing keys at rest; absent: stored in the clear. */
  keyEncryption: { current: Buffer; previous: Buffer[] } | undefined;
  /** Rotate the signing key automatically every this many days; absent: only by the CLI. */
  signingKeyRotationDays: number | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; only `main.ts` passes `process.env` here. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "unset", as in most twelve-factor tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    // One line per bad setting, `NAME: cause`.
    const lines = parsed.error.issues.map((i) => {
      const name = i.path.join('.');
      return `${name}: ${i.message.startsWith(`${name} `) ? i.message.slice(name.length + 1) : i.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dbPoolSize: e.KATAVEN_DB_POOL_SIZE,
    issuer: e.KATAVEN_ISSUER ?? `http://localhost:${e.PORT}`,
    sessionAudience: e.KATAVEN_SESSION_AUDIENCE,
    visitorTokenTtlSeconds: e.KATAVEN_VISITOR_TOKEN_TTL,
    sessionTokenTtlSeconds: e.KATAVEN_SESSION_TOKEN_TTL,
    refreshTokenTtlSeconds: e.KATAVEN_REFRESH_TOKEN_TTL,
    sessionMaxAgeSeconds: e.KATAVEN_SESSION_MAX_AGE,
    refreshReuseGraceSeconds: e.KATAVEN_REFRESH_REUSE_GRACE,
    demo: e.KATAVEN_DEMO,
    rateLimits: {
      enabled: e.KATAVEN_RATE_LIMITS,
      guestPerIp: e.KATAVEN_RATE_LIMIT_GUEST_PER_IP,
      guestPerWidget: e.KATAVEN_RATE_LIMIT_GUEST_PER_WIDGET,
      exchangePerIp: e.KATAVEN_RATE_LIMIT_EXCHANGE_PER_IP,
      refreshPerIp: e.KATAVEN_RATE_LIMIT_REFRESH_PER_IP,
      userTokenPerKey: e.KATAVEN_RATE_LIMIT_USER_TOKEN_PER_KEY,
    },
    trustProxyHops: e.KATAVEN_TRUST_PROXY,
    redis: e.REDIS_URL === undefined ? undefined : { url: e.REDIS_URL, keyPrefix: e.KATAVEN_REDIS_KEY_PREFIX },
    startupTimeoutSeconds: e.KATAVEN_STARTUP_TIMEOUT,
    shutdownDelaySeconds: e.KATAVEN_SHUTDOWN_DELAY,
    shutdownTimeoutSeconds: e.KATAVEN_SHUTDOWN_TIMEOUT,
    metrics: { port: e.KATAVEN_METRICS_PORT, token: e.KATAVEN_METRICS_TOKEN },
    overloadMaxEventLoopDelayMs: e.KATAVEN_OVERLOAD_MAX_EVENT_LOOP_DELAY_MS,
    overloadMaxInFlight: e.KATAVEN_OVERLOAD_MAX_IN_FLIGHT,
    overloadMaxWaitMs: e.KATAVEN_OVERLOAD_MAX_WAIT_MS,
    logLevel: e.LOG_LEVEL,
    keyEncryption:
      e.KATAVEN_KEY_ENCRYPTION_KEY === undefined
        ? undefined
        : { current: e.KATAVEN_KEY_ENCRYPTION_KEY, previous: e.KATAVEN_KEY_ENCRYPTION_KEY_PREVIOUS ?? [] },
    signingKeyRotationDays: e.KATAVEN_SIGNING_KEY_ROTATION_DAYS,
  };
}
