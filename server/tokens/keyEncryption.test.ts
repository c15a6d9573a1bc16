/** Signing keys at rest under KATAVEN_KEY_ENCRYPTION_KEY: what a copy of the database yields. */
import { randomBytes } from 'node:crypto';
import { describe, expect } from 'vitest';
import { rewrapSigningKeys, rotateSigningKey } from '../admin/index.js';
import { openStore } from '../store/openStore.js';
import type { Store } from '../store/store.js';
import {
  guestSession,
  SESSION_AUDIENCE,
  SESSION_TYP,
  verifyIndependently,
} from '../test-support/flowsHelpers.js';
import { freshServerTestWith } from '../test-support/serverTest.js';
import type { TestServer } from '../test-support/startTestServer.js';
import { openKeyRing } from './keyRing.js';
import { createKeyVault, kekIdOf, KeyVaultError } from './keyVault.js';

const KEK = randomBytes(32);
const it = freshServerTestWith({
  server: { env: { KATAVEN_KEY_ENCRYPTION_KEY: KEK.toString('base64') } },
});

/** Another process on the same database (a copy of it, as far as its rows go). */
async function withCopy<T>(server: TestServer, body: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ url: server.databaseUrl });
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

const openRing = (server: TestServer, store: Store, vault = createKeyVault(undefined)) =>
  openKeyRing({ store, clock: server.clock, retiredKeyGraceMs: 935_000, vault });

describe('signing keys encrypted at rest', () => {
  it('signs and verifies as usual, while the stored private part is an AES-256-GCM envelope naming the operator key', async ({
    server,
    widget,
  }) => {
    const session = await guestSession(server, widget.clientKey);
    await verifyIndependently(server, session.token, {
      typ: SESSION_TYP,
      audience: SESSION_AUDIENCE,
    });
    const [stored] = await server.store.listSigningKeys();
    expect(Object.keys(stored?.privateJwk ?? {}).sort()).toEqual(['dek', 'jwk', 'kek', 'sealed']);
    expect(stored?.privateJwk).toMatchObject({ sealed: 'A256GCM', kek: kekIdOf(KEK) });
    expect(JSON.stringify(stored?.privateJwk)).not.toContain('"d"');
  });

  it('a copy of the database without the operator key yields no usable private key', async ({
    server,
  }) => {
    await withCopy(server, async (copy) => {
      await expect(openRing(server, copy)).rejects.toThrow(KeyVaultError);
      await expect(
        openRing(server, copy, createKeyVault({ current: randomBytes(32) })),
      ).rejects.toThrow(KeyVaultError);
      await expect(openRing(server, copy, createKeyVault({ current: KEK }))).resolves.toBeDefined();
    });
  });

  it('a sealed value moved to another key does not open: each envelope is bound to its kid', async ({
    server,
  }) => {
    await rotateSigningKey({
      store: server.store,
      clock: server.clock,
      signingKeys: { vault: createKeyVault({ current: KEK }), retiredKeyGraceMs: 935_000 },
    });
    const [first, second] = await server.store.listSigningKeys();
    if (!first || !second) throw new Error('expected two keys');
    const vault = createKeyVault({ current: KEK });
    expect(() => vault.open(second.kid, first.privateJwk)).toThrow(KeyVaultError);
    expect(vault.open(first.kid, first.privateJwk)).toMatchObject({ kty: 'EC', crv: 'P-256' });
  });

  it('`signing-key rewrap` moves every key to a new operator key; the old one is then useless', async ({
    server,
  }) => {
    const next = randomBytes(32);
    const signingKeys = {
      vault: createKeyVault({ current: next, previous: [KEK] }),
      retiredKeyGraceMs: 935_000,
    };
    expect(
      await rewrapSigningKeys({ store: server.store, clock: server.clock, signingKeys }),
    ).toEqual({ rewrapped: 1, encrypted_with: kekIdOf(next) });
    expect(
      await rewrapSigningKeys({ store: server.store, clock: server.clock, signingKeys }),
    ).toEqual({ rewrapped: 0, encrypted_with: kekIdOf(next) });
    await withCopy(server, async (copy) => {
      await expect(
        openRing(server, copy, createKeyVault({ current: next })),
      ).resolves.toBeDefined();
      await expect(openRing(server, copy, createKeyVault({ current: KEK }))).rejects.toThrow(
        KeyVaultError,
      );
    });
  });
});

describe('turning encryption on for keys stored in the clear', () => {
  const clear = freshServerTestWith();
  clear(
    'rewrap seals the clear keys, and the server keeps signing with them',
    async ({ server, widget }) => {
      const before = await guestSession(server, widget.clientKey);
      const signingKeys = { vault: createKeyVault({ current: KEK }), retiredKeyGraceMs: 935_000 };
      expect(
        (await rewrapSigningKeys({ store: server.store, clock: server.clock, signingKeys }))
          .rewrapped,
      ).toBe(1);
      await withCopy(server, async (copy) => {
        const ring = await openRing(server, copy, signingKeys.vault);
        expect(ring.current().kid).toBe(ring.jwks().keys[0]?.kid);
        await expect(openRing(server, copy)).rejects.toThrow(KeyVaultError);
      });
      await verifyIndependently(server, before.token, {
        typ: SESSION_TYP,
        audience: SESSION_AUDIENCE,
      });
    },
  );
});
