import { AdminError } from '../server/admin/adminError.js';
import { runAdminCli } from '../server/admin/cli.js';
import { systemClock } from '../server/clock.js';
import { ConfigError, loadConfig } from '../server/config.js';
import { describeOpenFailure } from '../server/store/describeOpenFailure.js';
import { openStore } from '../server/store/openStore.js';
import { createKeyVault } from '../server/tokens/keyVault.js';
import { retiredKeyGraceMs } from '../server/tokens/retiredKeyGrace.js';

function configuration() {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new AdminError(error.message.replaceAll('\n', '; '));
    throw error;
  }
}

// An entry point like server/main.ts, so it may read process.env.
const output = await runAdminCli(process.argv.slice(2), async () => {
  const config = configuration();
  const store = await openStore({ url: config.databaseUrl }).catch((error: unknown) => {
    throw new AdminError(`DATABASE_URL: ${describeOpenFailure(config.databaseUrl, error)}`);
  });
  const signingKeys = { vault: createKeyVault(config.keyEncryption), retiredKeyGraceMs: retiredKeyGraceMs(config) };
  return { store, clock: systemClock, signingKeys, close: () => store.close() };
}, () => configuration().databaseUrl);
process.stdout.write(output.stdout);
process.stderr.write(output.stderr);
process.exitCode = output.exitCode;
