import { describe, expect } from 'vitest';
import * as z from 'zod';
import { apiTest as it } from '../test-support/apiTest.js';
import { decodeJwtParts } from '../test-support/decodeJwtParts.js';
import { JWKS } from '../test-support/paths.js';

/** The JWKS answer, written independently of the contract. */
const JwksBody = z.object({ keys: z.array(z.looseObject({ kid: z.string() })) });

describe('health and keys', () => {
  for (const path of ['/healthz', '/readyz']) {
    it(`answers GET ${path} with 200 ok`, async ({ api: { call } }) => {
      const res = await call(path);
      expect(res.status).toBe(200);
      expect(res.text).toBe('ok');
    });
  }

  it('serves the JWKS with only public members and Cache-Control: public, max-age=300', async ({
    api: { call },
  }) => {
    const res = await call(JWKS);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('pragma')).toBeNull();
    const { keys } = JwksBody.parse(res.json);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toStrictEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
    expect(new Set(keys.map((k) => k.kid)).size).toBe(keys.length);
  });

  it('lists the kid that signs the tokens it issues', async ({ api: { call, guestToken } }) => {
    const { header } = decodeJwtParts(await guestToken());
    const { keys } = JwksBody.parse((await call(JWKS)).json);
    expect(keys.map((k) => k.kid)).toContain(header.kid);
  });
});
