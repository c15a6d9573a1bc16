import { connect, type Socket } from 'node:net';
import { describe, expect } from 'vitest';
import { request } from '../test-support/http.js';
import { serverTestWith } from '../test-support/serverTest.js';
import type { TestServer } from '../test-support/startTestServer.js';
import { DEFAULT_SERVER_LIMITS } from './serverLimits.js';

/** Short limits so slow clients are cut off within a test; the production values are checked separately. */
const LIMITS = {
  headersTimeoutMs: 600,
  requestTimeoutMs: 1_200,
  connectionsCheckingIntervalMs: 100,
  keepAliveTimeoutMs: 400,
  maxRequestsPerSocket: 3,
};
/** Upper bound for anything the server must do on its own; a hang fails the test instead of stalling it. */
const BOUND_MS = 8_000;

const it = serverTestWith({ server: { serverLimits: LIMITS } });

interface RawConnection {
  socket: Socket;
  /** Everything the server has sent so far. */
  received(): string;
  /** Resolves when the server closes the connection; rejects after BOUND_MS. */
  closed: Promise<void>;
}

async function openConnection(server: TestServer): Promise<RawConnection> {
  const url = new URL(server.baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    data += chunk;
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `server kept the connection open for ${BOUND_MS} ms; received: ${JSON.stringify(data)}`,
        ),
      );
    }, BOUND_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { socket, received: () => data, closed };
}

/** Writes `chunks` one every `gapMs` until the server closes the socket. */
function dribble(connection: RawConnection, chunks: () => string, gapMs: number): void {
  const timer = setInterval(() => {
    if (connection.socket.destroyed || connection.socket.writableEnded) clearInterval(timer);
    else connection.socket.write(chunks());
  }, gapMs);
  connection.socket.once('close', () => clearInterval(timer));
}

const statusLine = (raw: string) => raw.split('\r\n', 1)[0];

describe('server limits', () => {
  it('uses production defaults that cut slow clients off within seconds', () => {
    expect(DEFAULT_SERVER_LIMITS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      connectionsCheckingIntervalMs: 1_000,
      keepAliveTimeoutMs: 5_000,
      maxRequestsPerSocket: 1_000,
      socketIdleTimeoutMs: 30_000,
      maxHeaderSize: 16_384,
    });
  });

  it('answers 408 and closes a connection whose headers trickle in (slowloris)', async ({
    server,
  }) => {
    const connection = await openConnection(server);
    connection.socket.write(`GET /healthz HTTP/1.1\r\nHost: ${new URL(server.baseUrl).host}\r\n`);
    let n = 0;
    dribble(connection, () => `X-Slow-${(n += 1)}: a\r\n`, 50);
    // Meanwhile other clients are served.
    expect((await request(server.baseUrl, '/healthz')).status).toBe(200);
    await connection.closed;
    expect(statusLine(connection.received())).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('answers 408 and closes a connection whose body trickles in (slow POST)', async ({
    server,
  }) => {
    const connection = await openConnection(server);
    connection.socket.write(
      `POST /api/v1/widget/auth/guest HTTP/1.1\r\nHost: ${new URL(server.baseUrl).host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
    );
    dribble(connection, () => ' ', 50);
    await connection.closed;
    expect(statusLine(connection.received())).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('closes a connection that opens and sends nothing', async ({ server }) => {
    const connection = await openConnection(server);
    await connection.closed;
    expect(['', 'HTTP/1.1 408 Request Timeout']).toContain(statusLine(connection.received()) ?? '');
  });

  it('closes an idle keep-alive connection after keepAliveTimeout', async ({ server }) => {
    const connection = await openConnection(server);
    connection.socket.write(
      `GET /healthz HTTP/1.1\r\nHost: ${new URL(server.baseUrl).host}\r\n\r\n`,
    );
    await connection.closed;
    expect(statusLine(connection.received())).toBe('HTTP/1.1 200 OK');
    // Node announces whole seconds (400 ms → 0) and the per-connection request budget.
    expect(connection.received()).toContain('\r\nKeep-Alive: timeout=0, max=3\r\n');
  });

  it('serves at most maxRequestsPerSocket requests on one connection, then closes it', async ({
    server,
  }) => {
    const connection = await openConnection(server);
    const host = new URL(server.baseUrl).host;
    connection.socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`.repeat(5));
    await connection.closed;
    const responses = connection.received().match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? [];
    expect(responses.slice(0, LIMITS.maxRequestsPerSocket)).toEqual([
      'HTTP/1.1 200 OK',
      'HTTP/1.1 200 OK',
      'HTTP/1.1 200 OK',
    ]);
    expect(responses.filter((line) => line === 'HTTP/1.1 200 OK')).toHaveLength(
      LIMITS.maxRequestsPerSocket,
    );
    expect(connection.received()).toMatch(/\r\nConnection: close\r\n/i);
  });

  it('answers 431 to headers over 16 KiB and closes the connection', async ({ server }) => {
    const connection = await openConnection(server);
    const host = new URL(server.baseUrl).host;
    connection.socket.write(
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
    );
    await connection.closed;
    expect(statusLine(connection.received())).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it('answers 431 to many small headers adding up to over 16 KiB', async ({ server }) => {
    const connection = await openConnection(server);
    const host = new URL(server.baseUrl).host;
    const many = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'b'.repeat(40)}\r\n`).join('');
    connection.socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n${many}\r\n`);
    await connection.closed;
    expect(statusLine(connection.received())).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it('serves headers just under the limit', async ({ server }) => {
    const res = await request(server.baseUrl, '/healthz', {
      headers: { 'x-big': 'a'.repeat(15 * 1024) },
    });
    expect(res.status).toBe(200);
  });
});
