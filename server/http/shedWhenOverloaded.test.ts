import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { shedWhenOverloaded } from './shedWhenOverloaded.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function listen(handler: RequestListener): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('shedWhenOverloaded', () => {
  it('sheds what comes past maxInFlight with 503 Service overloaded and Retry-After, and admits again once requests finish', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let shed = 0;
    const baseUrl = await listen(
      shedWhenOverloaded(
        (req, res) => {
          const answer = () => res.end('served');
          if (req.url === '/slow') void held.then(answer);
          else answer();
        },
        { eventLoopSaturated: () => false, maxInFlight: 1, onShed: () => shed++ },
      ),
    );
    const slow = fetch(`${baseUrl}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
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
    release();
    expect(await (await slow).text()).toBe('served');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await (await fetch(`${baseUrl}/readyz`)).text()).toBe('served');
  });

  it('under a saturated event loop keeps admitting a few requests, never none', async () => {
    const baseUrl = await listen(shedWhenOverloaded((_req, res) => res.end('served'), { eventLoopSaturated: () => true, maxInFlight: 1000, onShed: () => undefined }));
    expect(await (await fetch(`${baseUrl}/readyz`)).text()).toBe('served');
  });
});
