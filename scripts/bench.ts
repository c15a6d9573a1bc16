import { fileURLToPath } from 'node:url';
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from './bench/args.js';
import { runBench } from './bench/runBench.js';

// `npm run bench`: the service and two references side by side (see README "Performance").
const root = fileURLToPath(new URL('..', import.meta.url));

let options: BenchOptions | 'help';
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n${BENCH_USAGE}\n`);
  process.exit(2);
}

if (options === 'help') {
  process.stdout.write(`${BENCH_USAGE}\n`);
} else {
  try {
    process.exitCode = await runBench(root, options);
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
