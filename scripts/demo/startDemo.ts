import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDemoWidget } from './ensureDemoWidget.js';
import { startSiteServer } from './startSiteServer.js';

export interface DemoOptions {
  /** The API's port (`PORT`). */
  apiPort: number;
  /** The customer site's port on 127.0.0.1 (0: any free port). */
  sitePort: number;
  databaseUrl: string;
  /** Where the demo widget's keys are kept between runs. */
  keysFile: string;
  /** Environment for the API process (the demo adds PORT, DATABASE_URL and its own defaults). */
  env: Record<string, string | undefined>;
  /** Show the API's log on this process's stdout/stderr (the CLI), or drop it (tests). */
  apiOutput: 'inherit' | 'ignore';
}

export interface Demo {
  apiUrl: string;
  siteUrl: string;
  clientKey: string;
  close(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`);
    return true;
  } catch {
    return false;
  }
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (let attempt = 0; attempt < 300; attempt++) {
    if (exited)
      throw new Error(
        `the API exited during start (exit code ${String(child.exitCode)}); its log says why`,
      );
    try {
      // Readiness, not liveness: the API listens before its database is open.
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the API was not ready (${url}/readyz) within 30 s`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * `npm run demo`: the API exactly as `npm start` runs it, on its own port, and a
 * customer site on a second origin whose page boots the widget with the browser client — as a
 * guest, or signed in through the site's backend, which uses the Node client.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const apiUrl = `http://localhost:${options.apiPort}`;
  // Another server on the port would answer the health check in place of ours.
  if (await answers(apiUrl)) {
    throw new Error(`Something already answers on ${apiUrl}; stop it or set PORT to another port.`);
  }
  const keys = await ensureDemoWidget(options.databaseUrl, options.keysFile);
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      // A one-minute session token, so refreshes are visible while you watch.
      KATAVEN_SESSION_TOKEN_TTL: '60',
      ...options.env,
      PORT: String(options.apiPort),
      DATABASE_URL: options.databaseUrl,
      // The demo made its widget already and knows its keys.
      KATAVEN_DEMO: 'off',
    },
    stdio: ['ignore', options.apiOutput, options.apiOutput],
  });
  try {
    await waitForHealth(apiUrl, child);
    const site = await startSiteServer({
      host: '127.0.0.1',
      port: options.sitePort,
      apiBaseUrl: apiUrl,
      clientKey: keys.client_key,
      secretKey: keys.secret_key,
    });
    return {
      apiUrl,
      siteUrl: site.url,
      clientKey: keys.client_key,
      async close() {
        await site.close();
        await stop(child);
      },
    };
  } catch (error) {
    await stop(child);
    throw error;
  }
}
