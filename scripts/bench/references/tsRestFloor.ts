/**
 * Reference 2: the stack the service is built on, with nothing of the service. Express 5 and
 * @ts-rest/express serve the contract's `getConfig` route (its query and header schemas
 * validated as in the service) and answer what the service answered the bench's config request:
 * the same headers, a fresh request id, the same body. No widget lookup, origin check, ETag, request
 * line, overload gate or answer tracking. Its rate against bare Express is the most a config 200
 * can reach on this stack with the answer the spec requires.
 */
import { randomUUID } from 'node:crypto';
import { initServer, createExpressEndpoints } from '@ts-rest/express';
import express from 'express';
import * as z from 'zod';
import { contract } from '../../../contract/index.js';
import { applyExpressSettings } from '../../../server/http/expressSettings.js';
import { serveReference } from './serveReference.js';

const Answer = z.object({ headers: z.record(z.string(), z.string()), body: z.json() });
const answer = Answer.parse(JSON.parse(process.env.STACK_FLOOR_ANSWER ?? ''));
const headers = Object.entries(answer.headers);

const app = express();
applyExpressSettings(app, { trustProxyHops: 0 });

const configOnly = { getConfig: contract.getConfig };
const s = initServer();
createExpressEndpoints(
  configOnly,
  s.router(configOnly, {
    getConfig: ({ res }) => {
      res.setHeader('X-Request-Id', randomUUID());
      for (const [name, value] of headers) res.setHeader(name, value);
      // The body is the service's own answer, so it satisfies the route's 200 schema.
      return Promise.resolve({ status: 200 as const, body: answer.body as never });
    },
  }),
  app,
  { logInitialization: false, jsonQuery: false },
);
app.get('/healthz', (_req, res) => {
  res.type('text/plain').send('ok');
});

serveReference(app, Number(process.env.PORT));
