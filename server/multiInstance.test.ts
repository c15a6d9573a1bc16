/**
 * Three real server processes on one PostgreSQL database and one Redis, requests spread across
 * them as a load balancer would: every single-use and rotation rule must hold across instances,
 * admin changes must reach all of them, and killing one must lose nothing the others vouch for.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWidget } from './admin/index.js';
import { systemClock } from './clock.js';
import { openStore } from './store/openStore.js';
import { openDatabaseInspector, type DatabaseInspector } from './test-support/databaseInspector.js';
import { describeWithPostgres, postgresUrl, redisUrl } from './test-support/services.js';
import { killAll, startServerProcess, type ServerProcess } from './test-support/serverProcess.js';
import { createTestDatabase, type TestDatabase } from './test-support/testDatabase.js';
import { PATHS } from './test-support/paths.js';

const ORIGIN = 'http://localhost:3000';
/** Short enough to wait out in a test, long enough for 50 racing requests to land inside it. */
const GRACE_SECONDS = 3;
const MSG_TOKEN = 'Missing or expired token';
const MSG_REFRESH = 'Missing or expired refresh_token';
/** Refresh families holding more than one live (unspent) token: must always be none. */
const FORKED_FAMILIES =
  'SELECT count(*) FROM (SELECT session_id FROM refresh_tokens WHERE spent_at IS NULL GROUP BY session_id HAVING count(*) > 1) AS forked';

interface Answer {
  status: number;
  json: Record<string, unknown>;
  text: string;
}

async function post(baseUrl: string, path: string, body: unknown): Promise<Answer> {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.startsWith('application/json')
    ? (JSON.parse(text) as Record<string, unknown>)
    : {};
  return { status: res.status, json, text };
}

describeWithPostgres('three instances on one PostgreSQL and one Redis', () => {
  let database: TestDatabase;
  let db: DatabaseInspector;
  let instances: ServerProcess[] = [];
  let clientKey: string;
  /** Round-robin over the instances, as a load balancer spreads requests. */
  let turn = 0;
  const next = () => {
    const instance = instances[turn % instances.length];
    turn += 1;
    if (instance === undefined) throw new Error('no instance running');
    return instance.baseUrl;
  };
  const at = (i: number) => {
    const instance = instances[i];
    if (instance === undefined) throw new Error(`no instance ${i}`);
    return instance.baseUrl;
  };

  const startSession = async () => {
    const guest = await post(next(), PATHS.guest, { client_key: clientKey });
    expect(guest.status, guest.text).toBe(200);
    const exchange = await post(next(), PATHS.exchange, { token: guest.json.token });
    expect(exchange.status, exchange.text).toBe(200);
    return String(exchange.json.refresh_token);
  };

  beforeAll(async () => {
    database = await createTestDatabase(postgresUrl(), 'multi');
    db = openDatabaseInspector(database.url);
    const store = await openStore({ url: database.url });
    try {
      ({ client_key: clientKey } = await createWidget(
        { store, clock: systemClock },
        { name: 'Multi', origins: [], mode: 'test', guestEnabled: true },
      ));
    } finally {
      await store.close();
    }
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl(),
      KATAVEN_REDIS_KEY_PREFIX: `multi-${randomUUID()}:`,
      // Limits stay on (counted in Redis) but far above what these tests send from one address.
      KATAVEN_RATE_LIMIT_GUEST_PER_IP: '100000/min',
      KATAVEN_RATE_LIMIT_EXCHANGE_PER_IP: '100000/min',
      KATAVEN_RATE_LIMIT_REFRESH_PER_IP: '100000/min',
      KATAVEN_REFRESH_REUSE_GRACE: String(GRACE_SECONDS),
    };
    instances = await Promise.all([
      startServerProcess(env),
      startServerProcess(env),
      startServerProcess(env),
    ]);
  }, 60_000);

  afterAll(async () => {
    await killAll(instances);
    await db.close();
    await database.drop();
  });

  it('50 concurrent exchanges of one visitor token across three instances: one 200, one session', async () => {
    const guest = await post(next(), PATHS.guest, { client_key: clientKey });
    expect(guest.status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post(next(), PATHS.exchange, { token: guest.json.token })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400 && a.text === MSG_TOKEN)).toHaveLength(49);
    const winner = answers.find((a) => a.status === 200);
    const visitorId = (winner?.json.visitor as { id: string } | undefined)?.id;
    expect(await db.count('sessions', 'visitor_id = ?', [String(visitorId)])).toBe(1);
    expect(
      await db.count(
        'refresh_tokens',
        'session_id IN (SELECT id FROM sessions WHERE visitor_id = ?)',
        [String(visitorId)],
      ),
    ).toBe(1);
  });

  it('50 concurrent refreshes of one token across three instances: all 200 with one successor, one live token', async () => {
    const refreshToken = await startSession();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        post(next(), PATHS.refresh, { refresh_token: refreshToken }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 50 }, () => 200));
    const successors = new Set(answers.map((a) => a.json.refresh_token));
    expect(successors.size).toBe(1);
    expect(await db.scalar(FORKED_FAMILIES)).toBe(0);
    // The one successor is the live token: it refreshes on any instance.
    const onward = await post(at(2), PATHS.refresh, { refresh_token: [...successors][0] });
    expect(onward.status, onward.text).toBe(200);
  });

  it('reuse after grace on instance B of a token rotated on A revokes the family on all three', async () => {
    const first = await startSession();
    const rotated = await post(at(0), PATHS.refresh, { refresh_token: first });
    expect(rotated.status).toBe(200);
    const live = String(rotated.json.refresh_token);
    await new Promise((resolve) => setTimeout(resolve, GRACE_SECONDS * 1000 + 300));
    const reuse = await post(at(1), PATHS.refresh, { refresh_token: first });
    expect([reuse.status, reuse.text]).toEqual([400, MSG_REFRESH]);
    for (const i of [0, 1, 2]) {
      const answer = await post(at(i), PATHS.refresh, { refresh_token: live });
      expect([answer.status, answer.text], `instance ${i}`).toEqual([400, MSG_REFRESH]);
    }
  }, 20_000);

  it('a widget disabled through the CLI is refused by all three within 1 s', async () => {
    const store = await openStore({ url: database.url });
    let key: string;
    try {
      ({ client_key: key } = await createWidget(
        { store, clock: systemClock },
        { name: 'Doomed', origins: [], mode: 'test', guestEnabled: true },
      ));
    } finally {
      await store.close();
    }
    const config = (i: number) =>
      fetch(`${at(i)}${PATHS.config}?client_key=${key}`, { headers: { origin: ORIGIN } }).then(
        (r) => r.status,
      );
    // Every instance has the widget cached as enabled.
    expect(await Promise.all([0, 1, 2].map(config))).toEqual([200, 200, 200]);

    await promisify(execFile)('npm', ['run', '--silent', 'admin', '--', 'widget', 'disable', key], {
      env: { ...process.env, DATABASE_URL: database.url },
    });
    const committed = performance.now();
    const delays = await Promise.all(
      [0, 1, 2].map(async (i) => {
        while ((await config(i)) !== 404) {
          if (performance.now() - committed > 5000)
            throw new Error(`instance ${i} still serves the disabled widget`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return performance.now() - committed;
      }),
    );
    console.log(
      `multi-instance: widget disable seen by the three instances after ${delays.map((d) => `${Math.round(d)} ms`).join(', ')}`,
    );
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
  }, 30_000);

  const newWidget = async (name: string) => {
    const store = await openStore({ url: database.url });
    try {
      const created = await createWidget({ store, clock: systemClock }, { name, origins: [], mode: 'test', guestEnabled: true });
      return { clientKey: created.client_key, secretKey: created.secret_key ?? '' };
    } finally {
      await store.close();
    }
  };
  const refreshStatus = async (i: number, token: string) => (await post(at(i), PATHS.refresh, { refresh_token: token })).status;

  it('the kill switch through the CLI: every session of the widget stops refreshing on all three at once, guest is refused within 1 s, enable revives none', async () => {
    const { clientKey: key } = await newWidget('Killed');
    const sessions: string[] = [];
    for (const i of [0, 1, 2]) {
      const guest = await post(at(i), PATHS.guest, { client_key: key });
      const exchanged = await post(at(i), PATHS.exchange, { token: guest.json.token });
      expect(exchanged.status, exchanged.text).toBe(200);
      sessions.push(String(exchanged.json.refresh_token));
    }
    const cli = (...args: string[]) =>
      promisify(execFile)('npm', ['run', '--silent', 'admin', '--', ...args], { env: { ...process.env, DATABASE_URL: database.url } });
    await cli('widget', 'disable', key);
    const committed = performance.now();
    for (const token of sessions) for (const i of [0, 1, 2]) expect(await refreshStatus(i, token)).toBe(400);
    const delays = await Promise.all(
      [0, 1, 2].map(async (i) => {
        while ((await post(at(i), PATHS.guest, { client_key: key })).status !== 404) {
          if (performance.now() - committed > 5000) throw new Error(`instance ${i} still mints guests for the disabled widget`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return Math.round(performance.now() - committed);
      }),
    );
    console.log(`multi-instance kill switch: guest refused by the three instances after ${delays.join(', ')} ms; sessions refused at once`);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    await cli('widget', 'enable', key);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const token of sessions) for (const i of [0, 1, 2]) expect(await refreshStatus(i, token)).toBe(400);
  }, 60_000);

  it("a user's sessions revoked on one instance stop refreshing on the others at once; their earlier visitor token no longer exchanges anywhere", async () => {
    const widget = await newWidget('Revoking');
    const auth = { authorization: `Bearer ${widget.secretKey}` };
    const mint = (i: number) =>
      fetch(`${at(i)}${PATHS.userToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ client_key: widget.clientKey, user_id: 'u_ada' }),
      }).then(async (r) => ((await r.json()) as { token: string }).token);
    const sessions: string[] = [];
    for (const i of [0, 1]) {
      const exchanged = await post(at(i + 1), PATHS.exchange, { token: await mint(i) });
      expect(exchanged.status, exchanged.text).toBe(200);
      sessions.push(String(exchanged.json.refresh_token));
    }
    const pending = await mint(2);
    const revoked = await fetch(`${at(0)}/api/v1/widget/auth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ client_key: widget.clientKey, user_id: 'u_ada' }),
    });
    expect([revoked.status, await revoked.json()]).toEqual([200, { revoked_sessions: 2 }]);
    for (const token of sessions) for (const i of [1, 2]) expect(await refreshStatus(i, token)).toBe(400);
    const replay = await post(at(1), PATHS.exchange, { token: pending });
    expect([replay.status, replay.text]).toEqual([400, MSG_TOKEN]);
    const fresh = await post(at(2), PATHS.exchange, { token: await mint(1) });
    expect(fresh.status, fresh.text).toBe(200);
  }, 30_000);

  it('kill -9 of one instance under exchange/refresh load: every 200 it gave is honoured by the others, no family forks', async () => {
    const victim = instances[2];
    if (victim === undefined) throw new Error('no third instance');
    const chains: { refreshToken: string | undefined }[] = Array.from({ length: 12 }, () => ({
      refreshToken: undefined,
    }));
    let stop = false;
    let ok = 0;
    let victimOk = 0;
    const drive = async (chain: { refreshToken: string | undefined }, baseUrl: string) => {
      while (!stop) {
        try {
          if (chain.refreshToken === undefined) {
            const guest = await post(baseUrl, PATHS.guest, { client_key: clientKey });
            if (guest.status !== 200) throw new Error(`guest ${guest.status} ${guest.text}`);
            const exchange = await post(baseUrl, PATHS.exchange, { token: guest.json.token });
            if (exchange.status !== 200)
              throw new Error(`exchange ${exchange.status} ${exchange.text}`);
            chain.refreshToken = String(exchange.json.refresh_token);
          } else {
            const refresh = await post(baseUrl, PATHS.refresh, {
              refresh_token: chain.refreshToken,
            });
            if (refresh.status !== 200)
              throw new Error(`refresh ${refresh.status} ${refresh.text}`);
            chain.refreshToken = String(refresh.json.refresh_token);
          }
          ok += 1;
          if (baseUrl === victim.baseUrl) victimOk += 1;
        } catch (error) {
          // The victim died under this request: its answer is lost, the client keeps its last token.
          if (error instanceof TypeError && baseUrl === victim.baseUrl) return;
          throw error;
        }
      }
    };
    // A third of the chains talk to the victim only, the rest to the survivors.
    const load = Promise.all(chains.map((chain, i) => drive(chain, at(i % 3))));
    // Kill once every chain has been answered a few times, at a random moment after that.
    const deadline = performance.now() + 20_000;
    while (ok < chains.length * 3 && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
    const answeredByVictim = victimOk;
    victim.child.kill('SIGKILL');
    await victim.exited;
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop = true;
    await load;
    expect(answeredByVictim).toBeGreaterThan(0);

    // Every chain's last 200 still refreshes on a survivor. The victim's chains go first: a token
    // whose rotation committed but whose answer died with the victim is a retry inside the grace window.
    const victimsFirst = [...chains.entries()].sort(
      ([a], [b]) => Number(b % 3 === 2) - Number(a % 3 === 2),
    );
    for (const [i, chain] of victimsFirst) {
      if (chain.refreshToken === undefined) continue;
      const answer = await post(at(i % 2), PATHS.refresh, { refresh_token: chain.refreshToken });
      expect(answer.status, `chain ${i}: ${answer.text}`).toBe(200);
    }
    expect(await db.scalar(FORKED_FAMILIES)).toBe(0);
    console.log(
      `multi-instance: kill -9 under load: ${ok} successful requests (${answeredByVictim} by the killed instance), ${chains.filter((c) => c.refreshToken !== undefined).length} chains honoured by the survivors`,
    );
  }, 60_000);
});
