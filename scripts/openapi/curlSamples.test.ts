/**
 * The reference's curl samples are run, as written, with the real curl against a live server:
 * only the base URL and the example values (client key, tokens) are swapped for real ones, the
 * way a reader would paste their own.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { OpenAPIObject, OperationObject } from 'openapi3-ts/oas31';
import { describe, expect } from 'vitest';
import { EXAMPLE_REFRESH_TOKEN, EXAMPLE_VISITOR_TOKEN } from '../../contract/index.js';
import { serverTestWith } from '../../server/test-support/serverTest.js';
import { SAMPLE_BASE_URL, SECRET_KEY_VARIABLE } from './curlSample.js';

const run = promisify(execFile);
const doc = JSON.parse(
  readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'),
) as OpenAPIObject;

function sample(operationId: string): string {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item as Record<string, OperationObject>)) {
      if (op.operationId !== operationId) continue;
      const [first] = op['x-codeSamples'] as { source: string }[];
      if (first !== undefined) return first.source;
    }
  }
  throw new Error(`no curl sample for ${operationId}`);
}

const exampleClientKey = (() => {
  const schema = doc.components?.schemas?.GuestRequest as {
    properties: { client_key: { examples: string[] } };
  };
  const [key] = schema.properties.client_key.examples;
  if (key === undefined) throw new Error('no example client key');
  return key;
})();

const real = { visitorToken: '', refreshToken: '' };

const it = serverTestWith({
  // A test-mode widget: the samples' Origin (http://localhost:3000) is a loopback origin.
  widget: { mode: 'test', origins: ['https://shop.example.com'] },
})
  /** Runs a sample through the shell with the reader's values in place of the examples. */
  .extend(
    'curl',
    ({ server, widget }) =>
      async (operationId: string): Promise<{ status: number; body: string }> => {
        const command = sample(operationId)
          .replaceAll(SAMPLE_BASE_URL, server.baseUrl)
          .replaceAll(exampleClientKey, widget.clientKey)
          .replaceAll(EXAMPLE_VISITOR_TOKEN, real.visitorToken)
          .replaceAll(EXAMPLE_REFRESH_TOKEN, real.refreshToken);
        const { stdout } = await run('sh', ['-c', `${command} -sS -w '\\n%{http_code}'`], {
          env: { ...process.env, [SECRET_KEY_VARIABLE]: widget.secretKey },
          maxBuffer: 64 * 1024 * 1024,
        });
        const cut = stdout.lastIndexOf('\n');
        return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
      },
  );

describe('the curl samples in openapi.json', () => {
  it('run the guest handshake: config, guest, exchange, refresh, logout', async ({
    curl,
    widget: { clientKey },
  }) => {
    const config = await curl('getConfig');
    expect(config.status, config.body).toBe(200);
    expect(JSON.parse(config.body)).toMatchObject({ client_key: clientKey });

    const guest = await curl('guest');
    expect(guest.status, guest.body).toBe(200);
    real.visitorToken = (JSON.parse(guest.body) as { token: string }).token;

    const exchange = await curl('exchange');
    expect(exchange.status, exchange.body).toBe(200);
    real.refreshToken = (JSON.parse(exchange.body) as { refresh_token: string }).refresh_token;

    const refresh = await curl('refresh');
    expect(refresh.status, refresh.body).toBe(200);
    real.refreshToken = (JSON.parse(refresh.body) as { refresh_token: string }).refresh_token;

    const logout = await curl('logout');
    expect(logout.status, logout.body).toBe(204);
  });

  it('mint a signed-in visitor token with the secret key from the environment', async ({
    curl,
  }) => {
    const res = await curl('userToken');
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ user_id: 'u_123', token_type: 'Bearer' });
  });

  it('read the keys, the probes, the description and the reference page', async ({ curl }) => {
    for (const operationId of [
      'jwks',
      'healthz',
      'readyz',
      'openApiDocument',
      'apiReference',
      'apiReferenceScript',
    ]) {
      const res = await curl(operationId);
      expect(res.status, operationId).toBe(200);
    }
  });
});
