import { initContract } from '@ts-rest/core';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { contract } from './router.js';
import { listRoutes } from './listRoutes.js';
import { routeMeta } from './routeMeta.js';

const c = initContract();

describe('listRoutes', () => {
  it('lists every route of the contract once, in declaration order', () => {
    expect(listRoutes(contract).map((route) => route.key)).toEqual(Object.keys(contract));
  });

  it('joins nested router keys with a dot and reads each route its metadata', () => {
    const router = c.router({
      outer: c.router({
        inner: {
          method: 'GET',
          path: '/inner',
          metadata: routeMeta({ tag: 'service', cors: true }),
          responses: { 200: z.string() },
        },
      }),
      plain: { method: 'POST', path: '/plain', body: z.object({}), responses: { 204: c.noBody() } },
    });
    expect(listRoutes(router).map(({ key, method, path, cors, meta }) => ({ key, method, path, cors, tag: meta?.tag }))).toEqual([
      { key: 'outer.inner', method: 'GET', path: '/inner', cors: true, tag: 'service' },
      { key: 'plain', method: 'POST', path: '/plain', cors: false, tag: undefined },
    ]);
  });
});
