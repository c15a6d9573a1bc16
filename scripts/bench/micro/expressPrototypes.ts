/**
 * What Express 5's per-request `Object.setPrototypeOf` costs: the bench's bare Express app
 * (`references/bareExpressApp.ts`) served by a plain `node:http` server and by one that
 * creates its requests and responses with the app's prototypes already (presetPrototypes.ts).
 * Each runs in its own child process of the Node running this script; autocannon drives them in
 * turn at 50 connections and the server CPU per answer is read from /proc (Linux).
 *
 *   npx tsx scripts/bench/micro/expressPrototypes.ts [rounds]
 *   <node> --import tsx scripts/bench/micro/expressPrototypes.ts [rounds]   # another Node
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createPresetPrototypes, serverOptions } from '../../../server/http/presetPrototypes.js';
import { freePort, processCpuMicros } from '../childServer.js';
import { bareExpressApp } from '../references/bareExpressApp.js';

const SECONDS = 4;
type Variant = 'plain' | 'preset';

function serveHere(variant: Variant, port: number): void {
  const app = bareExpressApp();
  // Whether or not the service would preset them on this Node (presetsPayOff).
  const prototypes = variant === 'preset' ? createPresetPrototypes() : undefined;
  prototypes?.adopt(app);
  createServer(serverOptions(prototypes), app).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
}

async function start(variant: Variant): Promise<{ variant: Variant; child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve', variant, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`${variant} exited with ${code}`)));
  });
  return { variant, child, port };
}

async function measure(rounds: number): Promise<void> {
  const servers = [await start('plain'), await start('preset')];
  process.stdout.write(`Node ${process.version}: Express 5 constant JSON, 50 connections, ${SECONDS} s per window\n`);
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const { variant, child, port } of servers) {
        const cpu = () => processCpuMicros(readFileSync(`/proc/${child.pid}/stat`, 'utf8')) ?? Number.NaN;
        const before = cpu();
        const result = await autocannon({ url: `http://127.0.0.1:${port}/json`, connections: 50, duration: SECONDS });
        const perAnswer = (cpu() - before) / result.requests.total;
        process.stdout.write(
          `round ${round}  ${variant.padEnd(6)}  ${Math.round(result.requests.average).toString().padStart(6)} req/s  ${perAnswer.toFixed(1)} µs CPU per answer\n`,
        );
      }
    }
  } finally {
    for (const { child } of servers) child.kill();
  }
}

const [flag, variant, port] = process.argv.slice(2);
if (flag === '--serve' && (variant === 'plain' || variant === 'preset')) serveHere(variant, Number(port));
else await measure(Number(flag ?? 3));
