import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createServerClient, KatavenError } from '../../clients/node/index.js';

export interface SiteServerOptions {
  host: string;
  port: number;
  /** The API as the page reaches it (a second origin). */
  apiBaseUrl: string;
  clientKey: string;
  /** Used only by this server's "backend" route; never sent to the page. */
  secretKey: string;
}

export interface SiteServer {
  url: string;
  close(): Promise<void>;
}

const siteFile = (name: string) => fileURLToPath(new URL(`./site/${name}`, import.meta.url));

/** The page's script, bundled with the browser client at start. */
async function bundleApp(): Promise<string> {
  const result = await build({
    entryPoints: [siteFile('app.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    platform: 'browser',
    write: false,
    sourcemap: 'inline',
  });
  return result.outputFiles[0]?.text ?? '';
}

/** JSON inside a `<script>` element: `<` escaped so no value can close the element. */
const inlineJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function send(res: ServerResponse, status: number, type: string, body: string) {
  res
    .writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    .end(body);
}

/**
 * The demo customer's site on its own origin: the page, its script and style, and the site's
 * backend route `POST /sign-in`. A real site would check its own login there; the demo signs
 * everyone in as Ada and vouches for her with the Node client and the secret key.
 */
export async function startSiteServer(options: SiteServerOptions): Promise<SiteServer> {
  const settings = `<script id="settings" type="application/json">${inlineJson({ apiBaseUrl: options.apiBaseUrl, clientKey: options.clientKey })}</script>`;
  const page = readFileSync(siteFile('index.html'), 'utf8').replace('<!--settings-->', settings);
  const style = readFileSync(siteFile('style.css'), 'utf8');
  const app = await bundleApp();
  const kataven = createServerClient({ baseUrl: options.apiBaseUrl, secretKey: options.secretKey });

  const signIn = async (req: IncomingMessage, res: ServerResponse, origin: string) => {
    // Only the site's own page may ask (a cross-site form post carries another Origin).
    if (req.headers.origin !== origin) {
      send(res, 403, 'text/plain; charset=utf-8', 'Forbidden');
      return;
    }
    try {
      const visitor = await kataven.createUserToken({
        client_key: options.clientKey,
        user_id: 'u_ada',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        metadata: { plan: 'pro' },
      });
      send(res, 200, 'application/json', JSON.stringify({ token: visitor.token }));
    } catch (error) {
      const message =
        error instanceof KatavenError ? `${error.code}: ${error.message}` : 'sign-in failed';
      send(res, 502, 'text/plain; charset=utf-8', message);
    }
  };

  let origin = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    if (req.method === 'GET' && path === '/') send(res, 200, 'text/html; charset=utf-8', page);
    else if (req.method === 'GET' && path === '/app.js')
      send(res, 200, 'text/javascript; charset=utf-8', app);
    else if (req.method === 'GET' && path === '/style.css')
      send(res, 200, 'text/css; charset=utf-8', style);
    else if (req.method === 'POST' && path === '/sign-in') void signIn(req, res, origin);
    else send(res, 404, 'text/plain; charset=utf-8', 'Not found');
  });
  server.listen(options.port, options.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${options.host}:${port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
