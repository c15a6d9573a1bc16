/**
 * An admin CLI that stays up: opens the store at argv[2], prints `ready`, then runs each line of
 * stdin (a JSON array of CLI arguments) as one admin command and prints one JSON line per command:
 * `{ startedAt, exitCode, stdout }`, `startedAt` being the wall-clock instant just before the
 * command ran. Lets a test time when another process hears of a change, without counting the
 * seconds a fresh CLI process takes to start.
 */
import { createInterface } from 'node:readline';
import { runAdminCli } from '../../admin/cli.js';
import { systemClock } from '../../clock.js';
import { openSqliteStore } from '../sqlite/openSqliteStore.js';

const [url] = process.argv.slice(2);
if (url === undefined) throw new Error('usage: adminCliProcess <url>');
const store = await openSqliteStore({ url });
const deps = { store, clock: systemClock, close: () => Promise.resolve() };
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const argv = JSON.parse(line) as string[];
  const startedAt = Date.now();
  const { exitCode, stdout } = await runAdminCli(argv, () => Promise.resolve(deps));
  process.stdout.write(`${JSON.stringify({ startedAt, exitCode, stdout })}\n`);
}
await store.close();
