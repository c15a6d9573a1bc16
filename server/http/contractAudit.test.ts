import type { AddressInfo } from 'node:net';
import type { AppRoute, AppRouter } from '@ts-rest/core';
import express from 'express';
import { describe, expect } from 'vitest';
import { contract } from '../../contract/index.js';
import { request } from '../test-support/http.js';
import { serverTest as it } from '../test-support/serverTest.js';
import type { TestServer } from '../test-support/startTestServer.js';
import { contractAudit, type ContractViolation } from './contractAudit.js';
import { ORIGIN } from '../test-support/origins.js';


/** The real contract with some of a route's declared answers taken away. */
function without(key: keyof typeof contract, change: (route: AppRoute) => AppRoute): AppRouter {
  return { ...(contract as AppRouter), [key]: change(contract[key]) };
}

function dropStatuses(...statuses: number[]) {
  return (route: AppRoute): AppRoute => ({
    ...route,
    responses: Object.fromEntries(
      Object.entries(route.responses).filter(([status]) => !statuses.includes(Number(status))),
    ),
  });
}

/** The real app, behind an audit that judges it against `router` instead of the contract. */
async function auditedAgainst(server: TestServer, router: AppRouter) {
  const violations: ContractViolation[] = [];
  const outer = express();
  outer.use(contractAudit(router, (violation) => violations.push(violation)));
  outer.use(server.app.express);
  const listener = outer.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => listener.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  return {
    baseUrl,
    violations,
    close: () => new Promise<void>((resolve) => listener.close(() => resolve())),
  };
}

describe('contractAudit', () => {
  it('reports a 415, 413 and 405 that the route does not declare', async ({
    server,
    widget: { clientKey },
  }) => {
    const audited = await auditedAgainst(server, without('guest', dropStatuses(405, 413, 415)));
    try {
      const guest = '/api/v1/widget/auth/guest';
      await request(audited.baseUrl, guest, {
        rawBody: '{}',
        headers: { 'content-type': 'text/plain' },
        origin: ORIGIN,
      });
      await request(audited.baseUrl, guest, {
        rawBody: 'x'.repeat(17 * 1024),
        headers: { 'content-type': 'application/json' },
      });
      await request(audited.baseUrl, guest, { method: 'GET' });
      await request(audited.baseUrl, guest, { body: { client_key: clientKey }, origin: ORIGIN });
      expect(
        audited.violations.map(({ method, route, status, problem }) => ({
          method,
          route,
          status,
          problem,
        })),
      ).toEqual([
        { method: 'POST', route: 'guest', status: 415, problem: 'status 415 is not declared' },
        { method: 'POST', route: 'guest', status: 413, problem: 'status 413 is not declared' },
        { method: 'GET', route: 'guest', status: 405, problem: 'status 405 is not declared' },
      ]);
    } finally {
      await audited.close();
    }
  });

  it('reports a 404 on a route that does not declare it', async ({ server }) => {
    const router = without('getConfig', dropStatuses(404));
    const audited = await auditedAgainst(server, router);
    try {
      const res = await request(
        audited.baseUrl,
        `/api/v1/widget/config?client_key=pk_live_${'Z'.repeat(24)}`,
      );
      expect(res.status).toBe(404);
      expect(audited.violations).toMatchObject([
        { route: 'getConfig', status: 404, problem: 'status 404 is not declared' },
      ]);
    } finally {
      await audited.close();
    }
  });

  it('reports an error message the declared body does not allow', async ({
    server,
    widget: { clientKey },
  }) => {
    const router = without('guest', (route) => ({
      ...route,
      responses: { ...route.responses, 403: contract.guest.responses[404] },
    }));
    const audited = await auditedAgainst(server, router);
    try {
      await request(audited.baseUrl, '/api/v1/widget/auth/guest', {
        body: { client_key: clientKey },
        origin: 'https://evil.example.net',
      });
      expect(audited.violations).toHaveLength(1);
      expect(audited.violations[0]?.problem).toMatch(
        /^body "Origin not in allowlist for this client_key" does not match/,
      );
    } finally {
      await audited.close();
    }
  });

  it('reports a content type other than the declared one', async ({ server }) => {
    const router = without('healthz', (route) => ({
      ...route,
      responses: { ...route.responses, 200: contract.jwks.responses[200] },
    }));
    const audited = await auditedAgainst(server, router);
    try {
      await request(audited.baseUrl, '/healthz');
      expect(audited.violations).toMatchObject([
        {
          route: 'healthz',
          status: 200,
          problem: 'content type text/plain instead of application/json',
        },
      ]);
    } finally {
      await audited.close();
    }
  });

  it('says nothing about unknown paths, CORS preflights or declared answers', async ({
    server,
    widget: { clientKey },
  }) => {
    const audited = await auditedAgainst(server, contract);
    try {
      await request(audited.baseUrl, '/nowhere');
      await request(audited.baseUrl, '/api/v1/widget/auth/guest', {
        method: 'OPTIONS',
        origin: ORIGIN,
      });
      await request(audited.baseUrl, '/api/v1/widget/auth/guest', {
        body: { client_key: clientKey },
        origin: ORIGIN,
      });
      await request(audited.baseUrl, '/api/v1/widget/auth/guest', { body: {}, origin: ORIGIN });
      expect(audited.violations).toEqual([]);
    } finally {
      await audited.close();
    }
  });
});
