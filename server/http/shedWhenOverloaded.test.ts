import { Agent, createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from '../test-support/rawRequest.js';
import { type LoadShedder, type OverloadBounds, shedWhenOverloaded } from './shedWhenOverloaded.js';

let server: Server | undefined;
let shedder: LoadShedder | undefined;
afterEach(async () => {
  shedder?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A server whose `/slow/*` requests are answered only when the test releases them. */
async function listen(bounds: Partial<OverloadBounds>) {
  const releases: (() => void)[] = [];
  const served: string[] = [];
  const handler: RequestListener = (req, res) => {
    const answer = () => {
      served.push(req.url ?? '');
      res.end(`served ${req.url}`);
    };
    if (req.url?.startsWith('/slow') === true) releases.push(answer);
    else answer();
  };
  shedder = shedWhenOverloaded(handler, { eventLoopSaturated: () => false, maxInFlight: 1, maxWaitMs: 0, onShed: () => undefined, ...bounds });
  server = createServer(shedder.listener);
  server.on('connection', shedder.connectionAccepted);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const releaseOne = () => releases.shift()?.();
  return { baseUrl, served, releaseOne };
}

describe('shedWhenOverloaded', () => {
  it('with no wait allowed, answers what comes past maxInFlight 503 Service overloaded with Retry-After at once', async () => {
    let shed = 0;
    const { baseUrl, releaseOne } = await listen({ onShed: () => shed++ });
    const slow = fetch(`${baseUrl}/slow`);
    await sleep(50);
    const refused = await fetch(`${baseUrl}/api/v1/widget/auth/guest`, {
      method: 'POST',
      headers: { origin: 'https://shop.example.com', 'x-request-id': 'trace-42' },
    });
    expect(refused.status).toBe(503);
    expect(await refused.text()).toBe('Service overloaded');
    expect(refused.headers.get('retry-after')).toBe('1');
    // The headers of every answer, and the caller's request id echoed as everywhere else.
    expect(refused.headers.get('x-request-id')).toBe('trace-42');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    // Liveness is never shed.
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    expect(shed).toBe(1);
    releaseOne();
    expect(await (await slow).text()).toBe('served /slow');
    await sleep(50);
    expect(await (await fetch(`${baseUrl}/readyz`)).text()).toBe('served /readyz');
  });

  /** Queues `older`, then `newer`, behind one slow request, waits `pauseMs`, then frees one slot at a time: the order served. */
  async function servedOrder(maxWaitMs: number, pauseMs: number): Promise<string[]> {
    const { baseUrl, served, releaseOne } = await listen({ maxWaitMs });
    const answers = [fetch(`${baseUrl}/slow/1`)];
    await sleep(30);
    answers.push(fetch(`${baseUrl}/slow/older`));
    await sleep(30);
    answers.push(fetch(`${baseUrl}/slow/newer`));
    await sleep(pauseMs);
    expect(served).toEqual([]);
    for (let freed = 1; freed <= 3; freed++) {
      releaseOne();
      while (served.length < freed) await sleep(5);
      await sleep(30);
    }
    expect((await Promise.all(answers)).map((answer) => answer.status)).toEqual([200, 200, 200]);
    return served;
  }

  it('holds what comes past maxInFlight and, while the oldest has waited under half the bound, serves the waiting requests in arrival order', async () => {
    expect(await servedOrder(5_000, 30)).toEqual(['/slow/1', '/slow/older', '/slow/newer']);
  });

  it('once the oldest waiting request has waited half the bound, serves the newest waiting request first', async () => {
    // Past half of the 1,000 ms bound for the older one, well within it for both.
    expect(await servedOrder(1_000, 600)).toEqual(['/slow/1', '/slow/newer', '/slow/older']);
  });

  it('answers 503 with Retry-After a request that waited past maxWaitMs, at the refusal hold, and counts it shed', async () => {
    let shed = 0;
    const { baseUrl, served, releaseOne } = await listen({ maxWaitMs: 50, refusalHoldMs: 200, onShed: () => shed++ });
    const slow = fetch(`${baseUrl}/slow`);
    await sleep(30);
    const startedAt = performance.now();
    const refusal = fetch(`${baseUrl}/api/v1/widget/config?client_key=pk_test_x`);
    // A slot frees after the wait bound: the stale request is not served in it.
    await sleep(100);
    releaseOne();
    expect((await slow).status).toBe(200);
    const refused = await refusal;
    const waited = performance.now() - startedAt;
    expect(refused.status).toBe(503);
    expect(await refused.text()).toBe('Service overloaded');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(shed).toBe(1);
    expect(served).toEqual(['/slow']);
  });

  it('past maxWaiting answers the longest-waiting request 503 at once and keeps the newer ones', async () => {
    const { baseUrl, served, releaseOne } = await listen({ maxWaitMs: 5_000, maxWaiting: 1 });
    const first = fetch(`${baseUrl}/slow/1`);
    await sleep(30);
    const older = fetch(`${baseUrl}/older`);
    await sleep(30);
    const newer = fetch(`${baseUrl}/newer`);
    expect((await older).status).toBe(503);
    releaseOne();
    expect((await first).status).toBe(200);
    expect(await (await newer).text()).toBe('served /newer');
    expect(served).toEqual(['/slow/1', '/newer']);
  });

  it('drops a waiting request whose client went away without answering or serving it', async () => {
    let shed = 0;
    const { baseUrl, served, releaseOne } = await listen({ maxWaitMs: 5_000, onShed: () => shed++ });
    const first = fetch(`${baseUrl}/slow/1`);
    await sleep(30);
    const abandoned = new AbortController();
    const gone = fetch(`${baseUrl}/abandoned`, { signal: abandoned.signal }).catch(() => 'aborted');
    await sleep(30);
    abandoned.abort();
    expect(await gone).toBe('aborted');
    await sleep(30);
    releaseOne();
    expect((await first).status).toBe(200);
    await sleep(30);
    expect(served).toEqual(['/slow/1']);
    expect(shed).toBe(0);
  });

  it('frees the slot of an admitted request whose client hung up before its answer', async () => {
    const { baseUrl } = await listen({});
    const hungUp = new AbortController();
    const gone = fetch(`${baseUrl}/slow/abandoned`, { signal: hungUp.signal }).catch(() => 'aborted');
    await sleep(50);
    hungUp.abort();
    expect(await gone).toBe('aborted');
    await sleep(50);
    // The abandoned request is never answered, yet the one slot is free again.
    expect(await (await fetch(`${baseUrl}/next`)).text()).toBe('served /next');
  });

  it('never holds /healthz: an overloaded instance is alive', async () => {
    const { baseUrl, releaseOne } = await listen({ maxWaitMs: 5_000 });
    const slow = fetch(`${baseUrl}/slow`);
    await sleep(30);
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    releaseOne();
    await slow;
  });

  it('under a saturated event loop keeps admitting a few requests, never none', async () => {
    const { baseUrl } = await listen({ eventLoopSaturated: () => true, maxInFlight: 1000 });
    expect(await (await fetch(`${baseUrl}/readyz`)).text()).toBe('served /readyz');
  });

  it('refuses at the hold, never serving it, the first request of a connection accepted late in a burst, and serves a fresh request first', async () => {
    const { baseUrl, served, releaseOne } = await listen({ maxWaitMs: 200, refusalHoldMs: 400 });
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await rawRequest(baseUrl, '/warm', { agent: keepAlive })).status).toBe(200);
    const slow = rawRequest(baseUrl, '/slow');
    await sleep(30);
    // A connection accepted in every turn, for longer than a request may wait.
    let bursting = true;
    const burst = (async () => {
      while (bursting) {
        shedder?.connectionAccepted(new PassThrough());
        await nextTurn();
      }
    })();
    await sleep(300);
    const startedAt = performance.now();
    const lateFirst = rawRequest(baseUrl, '/late-first');
    await sleep(30);
    const fresh = rawRequest(baseUrl, '/fresh', { agent: keepAlive });
    await sleep(30);
    releaseOne();
    expect(await fresh).toMatchObject({ status: 200, text: 'served /fresh' });
    bursting = false;
    await burst;
    const refused = await lateFirst;
    expect(refused).toMatchObject({ status: 503, text: 'Service overloaded' });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(390);
    expect((await slow).status).toBe(200);
    expect(served).toEqual(['/warm', '/slow', '/fresh']);
    keepAlive.destroy();
  });
});
