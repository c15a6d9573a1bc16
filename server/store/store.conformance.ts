/**
 * The behaviour every Store implementation must show. An implementation's test file calls
 * `describeStoreConformance` with a `StoreUnderTest`: a factory that opens a fresh, empty store
 * and can open more stores on the same database, and the admin-change poll interval it uses. Each
 * test gets its own database and closes its stores. The sections live in `conformance/`, one area
 * of the interface each.
 */
import { describe, expect, it } from 'vitest';
import { describeAdminChanges } from './conformance/adminChanges.conformance.js';
import { describeCatalog } from './conformance/catalog.conformance.js';
import { describePurge } from './conformance/purge.conformance.js';
import { describeRefreshTokens } from './conformance/refreshTokens.conformance.js';
import { describeRevocations } from './conformance/revocations.conformance.js';
import { describeSecretKeys } from './conformance/secretKeys.conformance.js';
import { describeSigningKeys } from './conformance/signingKeys.conformance.js';
import { describeVisitorTokens } from './conformance/visitorTokens.conformance.js';
import { useStore, type StoreUnderTest } from './test-support/conformanceContext.js';

export type { StoreUnderTest };

export function describeStoreConformance(name: string, underTest: StoreUnderTest): void {
  describe(`Store conformance: ${name}`, () => {
    const context = useStore(underTest);

    describeCatalog(context);
    describeSecretKeys(context);
    describeSigningKeys(context);
    describeVisitorTokens(context);
    describeRefreshTokens(context);
    describeRevocations(context);
    describePurge(context);
    describeAdminChanges(context);

    it('ping resolves on an open store', async () => {
      await expect(context.store().ping()).resolves.toBeUndefined();
    });
  });
}
