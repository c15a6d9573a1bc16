import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { KeyVault } from './keyVault.js';

/**
 * One line at start when signing keys sit in the database in the clear while live widgets are
 * served, or are not yet sealed under the configured operator key (docs/operations.md).
 */
export async function warnAboutKeyStorage(deps: {
  store: Store;
  vault: KeyVault;
  logger: Logger;
}): Promise<void> {
  const { store, vault, logger } = deps;
  if (vault.currentKekId === undefined) {
    if ((await store.listWidgets()).some((widget) => widget.mode === 'live')) {
      logger.warn(
        { event: 'signing_keys_unencrypted' },
        'signing keys are stored unencrypted: set KATAVEN_KEY_ENCRYPTION_KEY (docs/operations.md, "Key lifecycle")',
      );
    }
    return;
  }
  const stale = (await store.listSigningKeys()).filter(
    (key) => !vault.isCurrent(key.privateJwk),
  ).length;
  if (stale > 0) {
    logger.warn(
      { event: 'signing_keys_not_rewrapped', keys: stale },
      `${stale} signing key(s) not yet encrypted under KATAVEN_KEY_ENCRYPTION_KEY: run \`npm run admin -- signing-key rewrap\``,
    );
  }
}
