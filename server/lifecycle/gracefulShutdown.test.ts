import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createWidget } from '../admin/index.js';
import { systemClock } from '../clock.js';
import { openStore } from '../store/openStore.js';
import { withServer } from '../test-support/flowsHelpers.js';
import { runLoad } from '../test-support/loadLoops.js';
import { PATHS } from '../test-support/paths.js';
import { startServerProcess, useServerProcesses, type ServerProcess } from '../test-support/serverProcess.js';
import { ORIGIN } from '../test-support/origins.js';

const { processes, file } = useServerProcesses('shutdown');

async function seedWidget(databaseUrl: string): Promise<string> {
  const store = await openStore({ url: databaseUrl });
  try {
    const created = await createWidget({ store, clock: systemClock }, { name: 'Drain', origins: [ORIGIN], mode: 'live', guestEnabled: true });
    return created.client_key;
  } finally {
    await store.close();
  }
}

const exitCodeOf = (server: ServerProcess) =>
  server.exited.then(() => server.child.exitCode);

async function readyzStatus(baseUrl: string): Promise<number | string> {
  return fetch(`${baseUrl}/readyz`).then(
    (res) => res.status,
    (error: unknown) => String(error),
  );
}

describe('SIGTERM', () => {
  it('fails /readyz at once, keeps serving through the delay, answers every request it accepted in full, and exits 0', async () => {
    const databaseUrl = `file:${file('drain.sqlite')}`;
    const clientKey = await seedWidget(databaseUrl);
    const server = await startServerProcess({
      DATABASE_URL: databaseUrl,
      KATAVEN_RATE_LIMITS: 'off',
      KATAVEN_SHUTDOWN_DELAY: '1',
      KATAVEN_SHUTDOWN_TIMEOUT: '20',
    });
    processes.push(server);
    const body = JSON.stringify({ client_key: clientKey });
    const load = runLoad(server.baseUrl, 16, () => ({
      method: 'POST',
      path: PATHS.guest,
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body,
    }));
    // Mid-run: the loops have been answering for a while.
    while (load.outcomes.length < 200) await new Promise((resolve) => setTimeout(resolve, 20));
    const answeredBeforeSignal = load.outcomes.length;
    server.child.kill('SIGTERM');

    let readyz = await readyzStatus(server.baseUrl);
    for (let i = 0; readyz === 200 && i < 50; i++) readyz = await readyzStatus(server.baseUrl);
    expect(readyz).toBe(503);
    const answeredWhenUnready = load.outcomes.length;

    expect(await exitCodeOf(server)).toBe(0);
    await load.stop();

    const answered = load.outcomes.filter((o) => o.kind === 'answered');
    const cutOff = load.outcomes.filter((o) => o.kind === 'cut_off');
    const notAnswered = load.outcomes.filter((o) => o.kind === 'not_answered');
    expect(cutOff).toEqual([]);
    expect(answered.filter((o) => o.status !== 200)).toEqual([]);
    for (const o of answered) expect(JSON.parse(o.body)).toHaveProperty('token');
    // Served on through the delay, after readiness had failed.
    expect(answered.length).toBeGreaterThan(answeredWhenUnready);

    // The server's own account: it completed exactly the requests the client got, and aborted none.
    const log = server.stdoutLines().map((line) => JSON.parse(line) as { msg?: string; route?: string });
    expect(log.filter((entry) => entry.msg === 'request aborted')).toEqual([]);
    expect(log.filter((entry) => entry.msg === 'request completed' && entry.route === PATHS.guest)).toHaveLength(answered.length);
    expect(log.map((entry) => entry.msg)).toContain('stopped');
    console.log(
      `SIGTERM under load: ${answeredBeforeSignal} answered before the signal, ${answered.length} answered in all (200, complete), ` +
        `${cutOff.length} cut off, ${notAnswered.length} not accepted (${[...new Set(notAnswered.map((o) => o.code))].join(', ')})`,
    );
  }, 120_000);
});

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('probes and the metrics port', () => {
  it('/healthz answers while the store is gone; /readyz does not', async () => {
    await withServer({}, async (server) => {
      await server.store.close();
      expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(503);
    });
  });

  it('KATAVEN_METRICS_PORT serves /metrics without a token and nothing else; the main port keeps it 404', async () => {
    const metricsPort = await freePort();
    const server = await startServerProcess({ DATABASE_URL: `file:${file('metrics.sqlite')}`, KATAVEN_METRICS_PORT: String(metricsPort) });
    processes.push(server);
    await fetch(`${server.baseUrl}/healthz`);
    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toContain('kataven_http_requests_total{route="healthz",status_class="2xx"}');
    expect(text).toContain('kataven_overload_shed_total 0');
    expect((await fetch(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(404);
    server.child.kill('SIGINT');
    expect(await exitCodeOf(server)).toBe(0);
  }, 60_000);
});
