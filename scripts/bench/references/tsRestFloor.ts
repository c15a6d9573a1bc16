/**
 * Reference 2: the stack the service is built on, with nothing of the service. Express 5 and
 * @ts-rest/express, served as the service serves them, answer two of the contract's routes with
 * their schemas validated as in the service:
 * - `getConfig`, answering what the service answered the bench's config request: the same
 *   headers, a fresh request id, the same body. No widget lookup, origin check, ETag, request
 *   line, overload gate or answer tracking.
 * - `guest`, reading the JSON body with the service's reader and answering what the service
 *   answered the bench's guest request with a fresh ES256 token (the one signature every token
 *   route owes its caller) and nothing else: no widget lookup, origin check or new visitor id.
 * Their rates against bare Express are the most a config 200, and a route that signs a token,
 * can reach on this stack with the answer the spec requires.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { initServer, createExpressEndpoints } from '@ts-rest/express';
import express from 'express';
import * as z from 'zod';
import { contract } from '../../../contract/index.js';
import { applyExpressSettings } from '../../../server/http/expressSettings.js';
import { readJsonBody } from '../../../server/http/jsonBody.js';
import { presetExpressPrototypes } from '../../../server/http/presetPrototypes.js';
import { timeOrderedKey } from '../../../server/keys/ids.js';
import { signJwt, type JwtHeader } from '../../../server/tokens/signJwt.js';
import { serveReference } from './serveReference.js';

const Answer = z.object({ headers: z.record(z.string(), z.string()), body: z.json() });
const SignedAnswer = z.object({ headers: z.record(z.string(), z.string()), body: z.looseObject({ token: z.string() }) });
const configAnswer = Answer.parse(JSON.parse(process.env.STACK_FLOOR_ANSWER ?? ''));
const guestAnswer = SignedAnswer.parse(JSON.parse(process.env.STACK_FLOOR_SIGNED_ANSWER ?? ''));

const part = (segment: string | undefined) => JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
const [headerPart, claimsPart] = guestAnswer.body.token.split('.');
const tokenHeader = part(headerPart) as unknown as JwtHeader;
const claims = part(claimsPart);
const ttl = Number(claims.exp) - Number(claims.iat);
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** The service's claims with a fresh `iat`, `exp` and `jti`, as each of its tokens has. */
function signGuestToken(): Promise<string> {
  const now = Date.now();
  const iat = Math.floor(now / 1000);
  return signJwt(tokenHeader, { ...claims, iat, exp: iat + ttl, jti: timeOrderedKey(now) }, privateKey);
}

const setHeaders = (res: express.Response, headers: Record<string, string>) => {
  res.setHeader('X-Request-Id', randomUUID());
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
};

const app = express();
applyExpressSettings(app, { trustProxyHops: 0 });
const parseJsonBody = readJsonBody();
app.use((req, res, next) => {
  if (req.method === 'POST') parseJsonBody(req, res, next);
  else next();
});

const routes = { getConfig: contract.getConfig, guest: contract.guest };
const s = initServer();
createExpressEndpoints(
  routes,
  s.router(routes, {
    getConfig: ({ res }) => {
      setHeaders(res, configAnswer.headers);
      // The bodies are the service's own answers, so they satisfy the routes' 200 schemas.
      return Promise.resolve({ status: 200 as const, body: configAnswer.body as never });
    },
    guest: async ({ res }) => {
      setHeaders(res, guestAnswer.headers);
      return { status: 200 as const, body: { ...guestAnswer.body, token: await signGuestToken() } as never };
    },
  }),
  app,
  { logInitialization: false, jsonQuery: false },
);
app.get('/healthz', (_req, res) => {
  res.type('text/plain').send('ok');
});

// Its requests are created as the service's are (presetPrototypes.ts), so no route of the service
// gains on this reference from how Express is served.
const prototypes = presetExpressPrototypes();
prototypes?.adopt(app);
serveReference(app, Number(process.env.PORT), prototypes);
