/**
 * The behaviour every Store implementation must show. An implementation's test file calls
 * `describeStoreConformance` with a factory that opens a fresh, empty store; each test gets its
 * own store and closes it. The sections live in `conformance/`, one area of the interface each.
 */
import { describe, expect, it } from 'vitest';
import { describeCatalog } from './conformance/catalog.conformance.js';
import { describePurge } from './conformance/purge.conformance.js';
import { describeRefreshTokens } from './conformance/refreshTokens.conformance.js';
import { describeSecretKeys } from './conformance/secretKeys.conformance.js';
import { describeSigningKeys } from './conformance/signingKeys.conformance.js';
import { describeVisitorTokens } from './conformance/visitorTokens.conformance.js';
import type { Store } from './store.js';
import { useStore } from './test-support/conformanceContext.js';

export function describeStoreConformance(name: string, open: () => Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    const context = useStore(open);

    describeCatalog(context);
    describeSecretKeys(context);
    describeSigningKeys(context);
    describeVisitorTokens(context);
    describeRefreshTokens(context);
    describePurge(context);

    it('ping resolves on an open store', async () => {
      await expect(context.store().ping()).resolves.toBeUndefined();
    });
  });
}
