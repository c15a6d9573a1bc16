/**
 * The test server as vitest fixtures: a test that names `server` gets the real app over real HTTP
 * on its own fresh database (`startTestServer`), and one that names `widget` also gets the
 * default widget on it. Set up at the first test that asks, torn down (contract audit included)
 * after the file's last test.
 *
 *   import { serverTest as it } from '../test-support/serverTest.js';
 *   it('mints a guest token', async ({ server, widget }) => { … });
 *
 * A file that needs other settings or another default widget makes its own with
 * `serverTestWith({ server: { env: … }, widget: { mode: 'test' } })`, and adds its own fixtures
 * with `.extend(…)`. Files whose tests count rows or move the clock take a fresh server for
 * every test: `freshServerTest`.
 */
import { test } from 'vitest';
import type { CreateWidgetInput } from '../admin/index.js';
import { startTestServer, type TestServerOptions, type TestWidget } from './startTestServer.js';

export interface ServerTestOptions {
  /** Passed to `startTestServer`. */
  server?: TestServerOptions;
  /**
   * The default widget, over `createWidget`'s defaults: a live widget that allows
   * `https://shop.example.com`, guests enabled.
   */
  widget?: Partial<CreateWidgetInput>;
}

/**
 * A fixture function that starts a test server and closes it (contract audit included) when its
 * scope ends: for a file that needs a second server with other settings next to `server`.
 */
export function startedServer(options: TestServerOptions = {}) {
  return async ({}, { onCleanup }: { onCleanup: (cleanup: () => Promise<void>) => void }) => {
    const server = await startTestServer(options);
    onCleanup(() => server.close());
    return server;
  };
}

/** One server and one default widget for the whole test file. */
export function serverTestWith(options: ServerTestOptions = {}) {
  return test
    .extend('server', { scope: 'file' }, startedServer(options.server))
    .extend('widget', { scope: 'file' }, ({ server }): Promise<TestWidget> =>
      server.createWidget(options.widget),
    );
}

/** A server and its default widget made for each test, closed after it. */
export function freshServerTestWith(options: ServerTestOptions = {}) {
  return test
    .extend('server', startedServer(options.server))
    .extend('widget', ({ server }): Promise<TestWidget> => server.createWidget(options.widget));
}

export const serverTest = serverTestWith();
export const freshServerTest = freshServerTestWith();
