import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactRoutes } from './exactRoutes.js';

describe('exactRoutes', () => {
  let base: string;
  let close: () => void;
  const calls: string[] = [];

  beforeAll(async () => {
    const routes = exactRoutes();
    routes.registrar.get('/a', (_req, res, next) => {
      calls.push('first');
      res.setHeader('X-Step', '1');
      next();
    }, (_req, res) => {
      res.json({ ok: true });
    });
    routes.registrar.post('/fails', () => Promise.reject(new Error('boom')));
    routes.registrar.post('/throws', () => {
      throw new Error('thrown');
    });
    routes.registrar.post('/next-error', (_req, _res, next) => {
      next(new Error('passed on'));
    });
    const app = express();
    app.use(routes.dispatch);
    app.use((_req, res) => {
      res.status(404).send('fallthrough');
    });
    const onError: ErrorRequestHandler = (error: Error, _req, res, next) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      res.status(500).send(error.message);
    };
    app.use(onError);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it('runs a route chain in order, each handler passing on with next()', async () => {
    const res = await fetch(`${base}/a`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-step')).toBe('1');
    expect(await res.json()).toEqual({ ok: true });
    expect(calls).toContain('first');
  });

  it('serves HEAD with the GET chain', async () => {
    const res = await fetch(`${base}/a`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-step')).toBe('1');
  });

  it('matches the exact path only: case, trailing slash and other methods fall through', async () => {
    for (const [method, path] of [['GET', '/A'], ['GET', '/a/'], ['POST', '/a'], ['GET', '/missing']] as const) {
      const res = await fetch(`${base}${path}`, { method });
      expect([method, path, res.status, await res.text()]).toEqual([method, path, 404, 'fallthrough']);
    }
  });

  it('hands a rejected promise, a throw and next(error) to the error handler', async () => {
    for (const [path, message] of [['/fails', 'boom'], ['/throws', 'thrown'], ['/next-error', 'passed on']]) {
      const res = await fetch(`${base}${path}`, { method: 'POST' });
      expect([path, res.status, await res.text()]).toEqual([path, 500, message]);
    }
  });
});
