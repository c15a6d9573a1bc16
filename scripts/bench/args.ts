import { parseArgs } from 'node:util';
import type { TargetId } from './targets.js';

export interface BenchOptions {
  /** CI mode: one short round, checks only that every target answered and the files exist. */
  smoke: boolean;
  rounds: number;
  seconds: number;
  connections: number;
  /** Runs the service under `--cpu-prof` and prints its hottest functions. */
  profile: boolean;
  build: boolean;
  /** Only these service targets (the references always run: every ratio needs them). */
  only: TargetId[] | undefined;
  /** Where this run's files go; default bench/results/<timestamp>/ (smoke: bench/results/smoke/). */
  out: string | undefined;
  /** `postgres`: also run the service on PostgreSQL and measure it beside the embedded store. */
  store: 'sqlite' | 'postgres';
  /** Server whose `postgres` database the run creates its own database from. */
  postgresUrl: string;
  /** Redis for the PostgreSQL instance's rate limits (on, far above the load), or undefined for none. */
  redisUrl: string | undefined;
  /** Also run the service with its Prometheus metrics on and compare each endpoint with it off. */
  metrics: boolean;
  /** Load shedding off (`KATAVEN_OVERLOAD_MAX_EVENT_LOOP_DELAY_MS=0`): the overload figures without it. */
  shedding: boolean;
  /** Also run the service with `LOG_LEVEL=warn` and measure each endpoint beside the default. */
  logComparison: boolean;
  /** Instead of the main table: exchange and refresh with a million rows per table, and a purge under load. */
  grown: boolean;
  /** Rows per table for `--grown` (live), and expired rows for its purge. */
  grownRows: number;
}

export const BENCH_USAGE = `Usage: npm run bench -- [options]
  --smoke            one round of 2 s per target; exit 1 unless every target answered and the files were written
  --rounds N         rounds, every target once per round, in reverse order every other round (default 5)
  --seconds S        seconds per target per round (default 3)
  --connections C    concurrent connections (default 50)
  --only a,b         service targets to run: config-200, config-304, guest, guest-4000, user-token, exchange, refresh
  --metrics          also run the service with its metrics on and compare each endpoint with metrics off
  --no-shedding      run the service without load shedding (the overload target's figures without it)
  --profile          run the service with --cpu-prof and print its hottest functions
  --no-build         skip \`npm run build\` (dist/ must be current)
  --out DIR          write the results there instead of bench/results/<timestamp>/
  --store postgres   also run the service on PostgreSQL (a fresh database on --postgres-url) and
                     compare each endpoint with the same one on SQLite, both driven at once
  --postgres-url U   default postgres://postgres@127.0.0.1:5432/postgres
  --redis            with --store postgres: rate limits on (far above the load) and counted in Redis
  --redis-url U      default redis://127.0.0.1:6379
  --no-log-comparison  skip the LOG_LEVEL=warn twin (each endpoint measured at once without request lines)
  --grown            exchange and refresh on a database grown to 1 M rows per table against an empty
                     one, then a purge of 1 M expired rows under load (with --store postgres: on both)
  --grown-rows N     rows for --grown instead of 1,000,000`;

const SERVICE_TARGETS = new Set<string>(['config-200', 'config-304', 'guest', 'guest-4000', 'user-token', 'exchange', 'refresh']);

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number`);
  return n;
}

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean' },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean' },
      'no-build': { type: 'boolean' },
      out: { type: 'string' },
      store: { type: 'string' },
      'postgres-url': { type: 'string' },
      redis: { type: 'boolean' },
      'redis-url': { type: 'string' },
      metrics: { type: 'boolean' },
      'no-shedding': { type: 'boolean' },
      'no-log-comparison': { type: 'boolean' },
      grown: { type: 'boolean' },
      'grown-rows': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) return 'help';
  const store = values.store ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'postgres') throw new Error('--store must be sqlite or postgres');
  if (values.redis === true && store !== 'postgres') throw new Error('--redis goes with --store postgres');
  const smoke = values.smoke === true;
  const only = values.only?.split(',').map((s) => s.trim()) ?? (values.grown === true ? ['exchange', 'refresh'] : undefined);
  const unknown = only?.find((id) => !SERVICE_TARGETS.has(id));
  if (unknown !== undefined) throw new Error(`--only: unknown target ${unknown}`);
  return {
    smoke,
    rounds: smoke ? 1 : positiveInt(values.rounds, 'rounds', 5),
    seconds: smoke ? 2 : positiveInt(values.seconds, 'seconds', 3),
    connections: positiveInt(values.connections, 'connections', 50),
    profile: values.profile === true,
    build: values['no-build'] !== true,
    only: only as TargetId[] | undefined,
    out: values.out,
    store,
    postgresUrl: values['postgres-url'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: values.redis === true ? (values['redis-url'] ?? 'redis://127.0.0.1:6379') : undefined,
    metrics: values.metrics === true,
    shedding: values['no-shedding'] !== true,
    logComparison: values['no-log-comparison'] !== true && values.grown !== true,
    grown: values.grown === true,
    grownRows: positiveInt(values['grown-rows'], 'grown-rows', 1_000_000),
  };
}
