import { describe, expect, it } from 'vitest';
import { evaluateBudgets } from './budgets.js';
import type { TargetSummary } from './summarize.js';
import type { TargetId } from './targets.js';

const summary = (id: TargetId, over: Partial<TargetSummary>): TargetSummary => ({
  id,
  label: id,
  side: 'kataven',
  expectStatus: 200,
  rounds: 2,
  rps: 1000,
  p50: 5,
  p99: 10,
  errors: 0,
  unexpected: 0,
  ok: 10_000,
  ratioToExpress: 1,
  peer: undefined,
  stackFloor: undefined,
  ratioToPeer: undefined,
  baseline: undefined,
  ratioToBaseline: undefined,
  cpuMicrosPerRequest: undefined,
  ...over,
});

const facts = { startupMs: 400, rssBytesAfterRun: 100 * 1024 * 1024 };

describe('evaluateBudgets', () => {
  it('meets a ratio budget at exactly its limit and misses it just below', () => {
    const met = evaluateBudgets([summary('guest', { ratioToExpress: 0.7 })], facts).find((b) => b.budget.startsWith('guest vs'));
    const missed = evaluateBudgets([summary('guest', { ratioToExpress: 0.699 })], facts).find((b) => b.budget.startsWith('guest vs'));
    expect(met?.met).toBe(true);
    expect(missed).toMatchObject({ met: false, measured: '69.9 %' });
  });

  it("shows beside config 200's verdict what ts-rest on Express reaches with the same answer", () => {
    const budgets = evaluateBudgets(
      [
        summary('config-200', { label: 'GET config (200)', stackFloor: 'stack-floor', ratioToExpress: 0.6 }),
        summary('stack-floor', { side: 'reference', label: 'ts-rest on Express', ratioToExpress: 0.788 }),
      ],
      facts,
    );
    expect(budgets.find((b) => b.budget === 'GET config (200) vs bare Express')).toMatchObject({ met: false, measured: '60.0 % (ts-rest on Express: 78.8 %)' });
  });

  it('shows beside a bare-Express verdict the same ratio against bare Express served as the service is', () => {
    const budgets = evaluateBudgets(
      [
        summary('express-preset', { side: 'reference', ratioToExpress: 3 }),
        summary('guest', { label: 'POST guest', ratioToExpress: 0.81 }),
      ],
      facts,
    );
    expect(budgets.find((b) => b.budget === 'POST guest vs bare Express')).toMatchObject({
      met: true,
      measured: '81.0 % (vs bare Express served as the service is: 27.0 %)',
    });
  });

  it('shows beside each token route the same signing floor', () => {
    const floor = summary('stack-floor-signed', { side: 'reference', label: 'one ES256 token', ratioToExpress: 0.6 });
    const routes = (['guest', 'user-token', 'exchange', 'refresh'] as const).map((id) => summary(id, { stackFloor: 'stack-floor-signed', ratioToExpress: 0.3 }));
    const budgets = evaluateBudgets([...routes, floor], facts);
    for (const id of ['guest', 'user-token', 'exchange', 'refresh']) {
      expect(budgets.find((b) => b.budget === `${id} vs bare Express`)).toMatchObject({ met: false, measured: '30.0 % (one ES256 token: 60.0 %)' });
    }
  });

  it("shows beside user-token's peer verdict what the signing floor reaches against the same peer", () => {
    const budgets = evaluateBudgets(
      [
        summary('user-token', { peer: 'peer-client-credentials', stackFloor: 'stack-floor-signed', ratioToPeer: 1.15 }),
        summary('stack-floor-signed', { side: 'reference', label: 'one ES256 token', peer: 'peer-client-credentials', ratioToPeer: 1.28 }),
        summary('peer-client-credentials', { side: 'peer', label: 'oidc-provider client_credentials' }),
      ],
      facts,
    );
    expect(budgets.find((b) => b.budget === 'user-token vs oidc-provider client_credentials')).toMatchObject({ met: false, measured: '1.15× (one ES256 token: 1.28×)' });
  });

  it('compares user-token with its peer and names the peer', () => {
    const budgets = evaluateBudgets(
      [
        summary('user-token', { peer: 'peer-client-credentials', ratioToPeer: 1.4 }),
        summary('peer-client-credentials', { side: 'peer', label: 'oidc-provider client_credentials' }),
      ],
      facts,
    );
    expect(budgets.find((b) => b.budget === 'user-token vs oidc-provider client_credentials')).toMatchObject({ met: false, measured: '1.40×' });
  });

  it('compares exchange and refresh on PostgreSQL with the same endpoints on SQLite, only when measured', () => {
    const budgets = evaluateBudgets(
      [summary('exchange@postgres', { label: 'POST exchange (PostgreSQL)', baseline: 'exchange', ratioToBaseline: 0.6 }), summary('refresh@postgres', { label: 'POST refresh (PostgreSQL)', baseline: 'refresh', ratioToBaseline: 0.59 })],
      facts,
    );
    expect(budgets.filter((b) => b.budget.endsWith('vs the same on SQLite'))).toEqual([
      { budget: 'POST exchange (PostgreSQL) vs the same on SQLite', limit: '≥ 0.60×', measured: '0.60×', met: true },
      { budget: 'POST refresh (PostgreSQL) vs the same on SQLite', limit: '≥ 0.60×', measured: '0.59×', met: false },
    ]);
    expect(evaluateBudgets([], facts).some((b) => b.budget.endsWith('vs the same on SQLite'))).toBe(false);
  });

  it('checks p99 as a multiple of bare Express p99, 1.5× for the stateless routes and 2.5× for the single-use ones', () => {
    const budgets = evaluateBudgets(
      [summary('express', { side: 'reference', p99: 10 }), summary('guest', { p99: 16 }), summary('exchange', { p99: 25 })],
      facts,
    );
    expect(budgets.find((b) => b.budget === "guest p99 vs bare Express's p99")).toEqual({
      budget: "guest p99 vs bare Express's p99",
      limit: '≤ 1.50×',
      measured: '1.60× (16 / 10 ms)',
      met: false,
    });
    expect(budgets.find((b) => b.budget === "exchange p99 vs bare Express's p99")).toMatchObject({ limit: '≤ 2.50×', met: true });
    expect(budgets.find((b) => b.budget === "refresh p99 vs bare Express's p99")?.met).toBeUndefined();
  });

  it('gives the request log at most 10 % of each endpoint against the same with LOG_LEVEL=warn', () => {
    const budgets = evaluateBudgets(
      [
        summary('guest', { label: 'POST guest' }),
        summary('guest@warn', { label: 'POST guest (LOG_LEVEL=warn)', baseline: 'guest', ratioToBaseline: 1.1 }),
        summary('config-200@warn', { baseline: 'config-200', ratioToBaseline: 1.12 }),
        summary('exchange@postgres', { baseline: 'exchange', ratioToBaseline: 1.5 }),
      ],
      facts,
    );
    expect(budgets.filter((b) => b.budget.endsWith('(LOG_LEVEL=warn)'))).toEqual([
      { budget: 'POST guest with its request line vs without (LOG_LEVEL=warn)', limit: '≥ 90.0 %', measured: '90.9 %', met: true },
      { budget: 'config-200 with its request line vs without (LOG_LEVEL=warn)', limit: '≥ 90.0 %', measured: '89.3 %', met: false },
    ]);
  });

  it('holds the overload target to the served requests: their req/s against 50 connections and their own p99, not the 50-connection p99', () => {
    const budgets = evaluateBudgets(
      [summary('guest', { rps: 2000 }), summary('guest-4000', { label: 'guest 4000', rps: 1900, p99: 900, okP99: 480, connections: 4000 })],
      facts,
    );
    expect(budgets.filter((b) => b.budget.startsWith('guest 4000'))).toEqual([
      { budget: 'guest 4000: served req/s vs 50 connections', limit: '≥ 0.90×', measured: '0.95×', met: true },
      { budget: 'guest 4000: p99 of the requests served', limit: '≤ 500 ms', measured: '480 ms', met: true },
    ]);
  });

  it('judges overload on every request served, and shows beside it the rate and p99 once the connections had opened', () => {
    const budgets = evaluateBudgets(
      [summary('guest', { rps: 2000 }), summary('guest-4000', { label: 'guest 4000', rps: 1600, rpsAfterOpening: 1900, okP99: 640, okP99AfterOpening: 250, connections: 4000 })],
      facts,
    );
    expect(budgets.filter((b) => b.budget.startsWith('guest 4000'))).toEqual([
      { budget: 'guest 4000: served req/s vs 50 connections', limit: '≥ 0.90×', measured: '0.80× (after the first 2 s: 0.95×)', met: false },
      { budget: 'guest 4000: p99 of the requests served', limit: '≤ 500 ms', measured: '640 ms (sent after the first 2 s: 250 ms)', met: false },
    ]);
  });

  it('shows beside the overload verdict what ts-rest on Express alone keeps of its own rate at 4,000 connections, without changing the verdict', () => {
    const budgets = evaluateBudgets(
      [
        summary('guest', { rps: 2000 }),
        summary('guest-4000', { label: 'guest 4000', rps: 1600, okP99: 300, connections: 4000 }),
        summary('stack-floor-signed', { rps: 3000 }),
        summary('stack-floor-signed-4000', { label: 'stack 4000', rps: 2100, connections: 4000 }),
      ],
      facts,
    );
    expect(budgets.find((b) => b.budget === 'guest 4000: served req/s vs 50 connections')).toEqual({
      budget: 'guest 4000: served req/s vs 50 connections',
      limit: '≥ 0.90×',
      measured: '0.80× (stack 4000, nothing shed, vs 50 connections: 0.70×)',
      met: false,
    });
  });

  it('compares guest with metrics on against metrics off', () => {
    const budgets = evaluateBudgets([summary('guest@metrics', { label: 'guest (metrics on)', baseline: 'guest', ratioToBaseline: 0.94 })], facts);
    expect(budgets.find((b) => b.budget === 'guest (metrics on) vs metrics off')).toMatchObject({ limit: '≥ 0.95×', met: false });
  });

  it('compares refresh with the peer refresh_token grant', () => {
    const budgets = evaluateBudgets([summary('refresh', { peer: 'peer-refresh', ratioToPeer: 1.2 })], facts);
    expect(budgets.find((b) => b.budget === 'refresh vs its peer')).toMatchObject({ limit: '≥ 1.20×', met: true });
  });

  it('reports a target that did not run, and RSS without /proc, as not measured rather than missed', () => {
    const budgets = evaluateBudgets([], { startupMs: 2200, rssBytesAfterRun: undefined });
    expect(budgets.find((b) => b.budget.startsWith('exchange vs'))?.met).toBeUndefined();
    expect(budgets.find((b) => b.budget.startsWith('server RSS'))?.met).toBeUndefined();
    expect(budgets.find((b) => b.budget.startsWith('process start'))).toMatchObject({ met: false, measured: '2200 ms' });
  });
});
