import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { readinessMessages } from '../../contract/index.js';
import { captureLogs, type CapturedLogs } from '../test-support/captureLogs.js';
import { ORIGIN, PATHS } from '../test-support/flowsHelpers.js';
import { request, type TestResponse } from '../test-support/http.js';
import {
  deleteKeys,
  startPrivateRedis,
  uniqueKeyPrefix,
  type PrivateRedis,
} from '../test-support/redis.js';
import { describeWithRedis, redisUrl } from '../test-support/services.js';
import { startTestServer, type TestServer } from '../test-support/startTestServer.js';
import { createRedisRateLimiters, type RedisRateLimiters } from './redisRateLimiters.js';
import { expectTextError } from '../test-support/expectTextError.js';

const SHARED = readinessMessages.ready;
const PER_INSTANCE = readinessMessages.rateLimitsPerInstance;

/** One service instance: its own process state and database, counters in the given Redis. */
interface Instance {
  server: TestServer;
  limiters: RedisRateLimiters;
  logs: CapturedLogs;
  clientKey: string;
}

const instances: Instance[] = [];
const privateServers: PrivateRedis[] = [];
const sharedPrefixes: string[] = [];

afterEach(async () => {
  for (const instance of instances.splice(0)) {
    await instance.limiters.close();
    await instance.server.close();
  }
  for (const redis of privateServers.splice(0)) {
    redis.thaw();
    await redis.kill();
  }
  for (const prefix of sharedPrefixes.splice(0)) await deleteKeys(redisUrl(), prefix);
});

async function startInstance(url: string, keyPrefix: string, guestPerIp: string): Promise<Instance> {
  const logs = captureLogs();
  const limiters = createRedisRateLimiters({ url, keyPrefix, logger: logs.logger });
  const server = await startTestServer({
    env: { KATAVEN_RATE_LIMITS: 'on', KATAVEN_TRUST_PROXY: '1', KATAVEN_RATE_LIMIT_GUEST_PER_IP: guestPerIp },
    logger: logs.logger,
    rateLimiters: limiters.factory,
    rateLimitsPerInstance: () => !limiters.isShared(),
  });
  const { clientKey } = await server.createWidget();
  const instance = { server, limiters, logs, clientKey };
  instances.push(instance);
  return instance;
}

async function startPair(url: string, keyPrefix: string, guestPerIp: string): Promise<[Instance, Instance]> {
  const a = await startInstance(url, keyPrefix, guestPerIp);
  const b = await startInstance(url, keyPrefix, guestPerIp);
  await untilReadiness(a, SHARED);
  await untilReadiness(b, SHARED);
  return [a, b];
}

const readiness = (instance: Instance) => request(instance.server.baseUrl, '/readyz');

/** Polls `/readyz` (bounded) until its body is `body`; it is 200 in every state. */
async function untilReadiness(instance: Instance, body: string): Promise<void> {
  let res = await readiness(instance);
  for (let attempt = 0; res.text !== body && attempt < 200; attempt += 1) {
    expect(res.status).toBe(200);
    await sleep(50);
    res = await readiness(instance);
  }
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(res.text).toBe(body);
}

function guest(instance: Instance, ip: string): Promise<TestResponse> {
  return request(instance.server.baseUrl, PATHS.guest, {
    origin: ORIGIN,
    headers: { 'x-forwarded-for': ip },
    body: { client_key: instance.clientKey },
  });
}

/** A minted guest token; returns the `r` (requests left) of its `guest-ip` RateLimit field. */
function remaining(res: TestResponse): number {
  expect(res.status).toBe(200);
  const match = /^"guest-ip";r=(\d+);t=\d+$/.exec(res.headers.get('ratelimit') ?? '');
  expect(match).not.toBeNull();
  return Number(match?.[1]);
}

function expectTooMany(res: TestResponse, quota: number): void {
  expectTextError(res, 429, 'Too many requests');
  expect(res.headers.get('ratelimit-policy')).toBe(`"guest-ip";q=${quota};w=60`);
}

const statusCounts = (responses: TestResponse[]) =>
  responses.reduce<Record<number, number>>((counts, res) => ({ ...counts, [res.status]: (counts[res.status] ?? 0) + 1 }), {});

const linesWith = (logs: CapturedLogs, event: string) => logs.records().filter((record) => record.event === event);

describeWithRedis('rate limits shared through Redis', () => {
  it('holds a limit across two instances: each counts what the other already counted', async () => {
    const prefix = uniqueKeyPrefix();
    sharedPrefixes.push(prefix);
    const [a, b] = await startPair(redisUrl(), prefix, '3/min');
    const ip = '198.51.100.20';

    expect(remaining(await guest(a, ip))).toBe(2);
    expect(remaining(await guest(b, ip))).toBe(1);
    expect(remaining(await guest(a, ip))).toBe(0);
    expectTooMany(await guest(b, ip), 3);
    expectTooMany(await guest(a, ip), 3);
    expect(remaining(await guest(b, '198.51.100.21'))).toBe(2);

    // The count lives in Redis under the deployment's prefix and the policy's name.
    const redis = new Redis(redisUrl());
    try {
      expect(await redis.get(`${prefix}:ratelimit:guest-ip:${ip}`)).toBe('5');
    } finally {
      redis.disconnect();
    }
  });

  it('counts atomically: concurrent requests spread over two instances get exactly the quota', async () => {
    const prefix = uniqueKeyPrefix();
    sharedPrefixes.push(prefix);
    const [a, b] = await startPair(redisUrl(), prefix, '10/min');
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => guest(i % 2 === 0 ? a : b, '198.51.100.30')),
    );
    expect(statusCounts(answers)).toEqual({ 200: 10, 429: 20 });
  });

  it('keeps deployments with different key prefixes apart on one Redis', async () => {
    const first = uniqueKeyPrefix();
    const second = uniqueKeyPrefix();
    sharedPrefixes.push(first, second);
    const [a] = await startPair(redisUrl(), first, '1/min');
    const [other] = await startPair(redisUrl(), second, '1/min');
    const ip = '198.51.100.40';
    expect(remaining(await guest(a, ip))).toBe(0);
    expectTooMany(await guest(a, ip), 1);
    expect(remaining(await guest(other, ip))).toBe(0);
  });

  it('when Redis dies keeps answering with per-instance limits, logs the outage once, says so on /readyz, and shares again once Redis is back', async () => {
    const redis = await startPrivateRedis();
    privateServers.push(redis);
    const [a, b] = await startPair(redis.url, uniqueKeyPrefix(), '4/min');
    const before = '198.51.100.50';
    expect(remaining(await guest(a, before))).toBe(3);
    expect(remaining(await guest(b, before))).toBe(2);

    await redis.kill();
    // Sent at once: nothing waits for Redis, nothing fails. Each instance now counts alone from
    // zero, so each lets the full quota of 4 through.
    const during = await Promise.all(Array.from({ length: 12 }, (_, i) => guest(i % 2 === 0 ? a : b, before)));
    expect(statusCounts(during)).toEqual({ 200: 8, 429: 4 });
    for (const res of during.filter((r) => r.status === 429)) expectTooMany(res, 4);
    await untilReadiness(a, PER_INSTANCE);
    await untilReadiness(b, PER_INSTANCE);

    // Reconnection attempts keep failing meanwhile (100 ms, 200 ms, 400 ms, …): none is logged.
    await sleep(1500);
    expect(statusCounts(await Promise.all([guest(a, '198.51.100.51'), guest(b, '198.51.100.51')]))).toEqual({ 200: 2 });
    for (const { logs } of [a, b]) {
      const outage = linesWith(logs, 'rate_limits_per_instance');
      expect(outage).toHaveLength(1);
      expect(outage[0]).toMatchObject({
        level: 40,
        msg: 'Redis unreachable: rate limits are counted per instance until it is back',
      });
    }

    await redis.restart();
    await untilReadiness(a, SHARED);
    await untilReadiness(b, SHARED);
    for (const { logs } of [a, b]) {
      expect(linesWith(logs, 'rate_limits_per_instance')).toHaveLength(1);
      expect(linesWith(logs, 'rate_limits_shared').map((line) => [line.level, line.msg])).toEqual([
        [30, 'rate limits are shared through Redis'],
        [30, 'Redis is back: rate limits are shared again'],
      ]);
    }

    // Counted in Redis again: the second instance sees the first one's count.
    const after = '198.51.100.52';
    expect(remaining(await guest(a, after))).toBe(3);
    expect(remaining(await guest(a, after))).toBe(2);
    expect(remaining(await guest(a, after))).toBe(1);
    expect(remaining(await guest(b, after))).toBe(0);
    expectTooMany(await guest(b, after), 4);
  });

  it('when Redis hangs with its connection open, answers from the per-instance limiter and recovers once it answers again', async () => {
    const redis = await startPrivateRedis();
    privateServers.push(redis);
    const [a, b] = await startPair(redis.url, uniqueKeyPrefix(), '4/min');

    redis.freeze();
    const during = await Promise.all(Array.from({ length: 6 }, () => guest(a, '198.51.100.60')));
    expect(statusCounts(during)).toEqual({ 200: 4, 429: 2 });
    await untilReadiness(a, PER_INSTANCE);
    // Later requests no longer wait for Redis to time out: the hung connection was dropped.
    expect(remaining(await guest(a, '198.51.100.61'))).toBe(3);
    expect(linesWith(a.logs, 'rate_limits_per_instance')).toHaveLength(1);

    redis.thaw();
    await untilReadiness(a, SHARED);
    await untilReadiness(b, SHARED);
    expect(linesWith(a.logs, 'rate_limits_shared')).toHaveLength(2);
    const after = '198.51.100.62';
    expect(remaining(await guest(a, after))).toBe(3);
    expect(remaining(await guest(b, after))).toBe(2);
  });

  it('closes quietly at shutdown, with Redis up or down, and stops reconnecting', async () => {
    const redis = await startPrivateRedis();
    privateServers.push(redis);
    const [a, b] = await startPair(redis.url, uniqueKeyPrefix(), '4/min');
    await a.limiters.close();
    await redis.kill();
    await untilReadiness(b, PER_INSTANCE);
    await b.limiters.close();
    await redis.restart();
    // Longer than the longest reconnection delay: a client still trying would be back by now.
    await sleep(2500);
    const observer = new Redis(redis.url);
    try {
      expect(await observer.client('LIST')).not.toContain('name=kataven-rate-limits');
    } finally {
      observer.disconnect();
    }
    expect(linesWith(a.logs, 'rate_limits_per_instance')).toHaveLength(0);
    expect(linesWith(a.logs, 'rate_limits_shared')).toHaveLength(1);
    expect(linesWith(b.logs, 'rate_limits_per_instance')).toHaveLength(1);
    expect(linesWith(b.logs, 'rate_limits_shared')).toHaveLength(1);
  });
});
