import { runAdminCli } from '../server/admin/cli.js';
import { systemClock } from '../server/clock.js';
import { loadConfig } from '../server/config.js';
import { openStore } from '../server/store/openStore.js';

// An entry point like server/main.ts, so it may read process.env.
const output = await runAdminCli(process.argv.slice(2), async () => {
  const config = loadConfig(process.env);
  const store = await openStore({ url: config.databaseUrl });
  return { store, clock: systemClock, close: () => store.close() };
});
process.stdout.write(output.stdout);
process.stderr.write(output.stderr);
process.exitCode = output.exitCode;
