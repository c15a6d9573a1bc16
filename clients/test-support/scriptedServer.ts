import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the scripted server does with one request: answer as told, pass it on to a real server,
 * never answer (`hang`), or cut the connection (`drop`).
 */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { forwardTo: string }
  | 'hang'
  | 'drop';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
}

export interface ScriptedServer {
  baseUrl: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that answers its n-th request with `replies[n]` (the last one
 * repeats): the 429s, 5xx and stalls the live server does not produce on demand.
 */
export async function startScriptedServer(replies: readonly Reply[]): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      const reply = replies[Math.min(requests.length, replies.length - 1)] ?? 'drop';
      requests.push(seen);
      if (reply === 'hang') return;
      if (reply === 'drop') {
        req.socket.destroy();
        return;
      }
      if ('forwardTo' in reply) {
        forward(reply.forwardTo, seen).then(
          ({ status, headers, body }) => res.writeHead(status, headers).end(body),
          () => req.socket.destroy(),
        );
        return;
      }
      res
        .writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8', ...reply.headers })
        .end(reply.body ?? '');
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function forward(baseUrl: string, seen: SeenRequest) {
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'content-type', 'origin']) {
    const value = seen.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const response = await fetch(baseUrl + seen.path, {
    method: seen.method,
    headers,
    ...(seen.method === 'GET' || seen.method === 'HEAD' ? {} : { body: seen.body }),
  });
  return {
    status: response.status,
    headers: { 'content-type': response.headers.get('content-type') ?? 'text/plain' },
    body: await response.text(),
  };
}
