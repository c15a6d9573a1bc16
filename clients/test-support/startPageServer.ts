import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServerClient } from '../node/index.js';
import { bundleBrowserClient } from './bundleBrowserClient.js';

export interface PageServer {
  /** `http://127.0.0.1:<port>`: the customer site's origin. */
  origin: string;
  close(): Promise<void>;
}

export interface PageServerOptions {
  apiBaseUrl: string;
  clientKey: string;
  secretKey: string;
}

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>customer site</title><script src="/kataven.js"></script><h1>customer site</h1>';

/**
 * A customer's site for browser tests: a page that loads the bundled browser client, and the
 * site's own backend route `POST /visitor-token`, which vouches for a user with the Node client
 * (as a real backend would after checking its own login).
 */
export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const bundle = await bundleBrowserClient();
  const kataven = createServerClient({ baseUrl: options.apiBaseUrl, secretKey: options.secretKey });
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else if (req.method === 'GET' && req.url === '/kataven.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    } else if (req.method === 'POST' && req.url === '/visitor-token') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const { user_id, name } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          user_id: string;
          name: string;
        };
        kataven.createUserToken({ client_key: options.clientKey, user_id, name }).then(
          ({ token }) =>
            res
              .writeHead(200, { 'content-type': 'application/json' })
              .end(JSON.stringify({ token })),
          () => res.writeHead(502).end(),
        );
      });
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
