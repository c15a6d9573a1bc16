import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './args.js';
import { evaluateBudgets } from './budgets.js';
import { barChartSvg } from './chart.js';
import { startChildServer, freePort, untilIdle, type ChildServer } from './childServer.js';
import { formatHotFunctions, hotFunctions, monotonicMicros, readCpuProfile, type TimeRange } from './cpuProfile.js';
import { OPENING_MS, runPairedWindows, runWindow, type WindowResult } from './load.js';
import { cpuPressure, describeThisMachine, isBusy } from './machine.js';
import { describeMachine, markdownReport, textReport } from './report.js';
import { createBenchDatabase, type BenchDatabase } from './benchDatabase.js';
import { BENCH_ORIGIN, seedBenchWidget } from './seedBenchWidget.js';
import { summarize, type MeasuredWindow } from './summarize.js';
import { seedGrownRows } from './grownDatabase.js';
import { npmStartArgs } from './npmStartArgs.js';
import { shippedEnv } from './shippedEnv.js';
import { measurePurgeUnderLoad, type PurgeUnderLoad } from './purgeUnderLoad.js';
import { benchTargets, guestRequest, isStackFloor, type Target, type TargetId, type Twin, type TwinName } from './targets.js';

/** A first guess of a single-use target's rate, to size its pool; later windows use the last measurement. */
const INITIAL_ESTIMATE_RPS = 2000;
/** The smoke run only checks that every target answers: small pools keep it short. */
const SMOKE_ESTIMATE_RPS = 500;
const WARMUP_SECONDS = 1;
const OUTPUT_FILES = ['results.json', 'table.md', 'chart.svg', 'machine.json'] as const;

const log = (line: string) => process.stdout.write(`${line}\n`);
const millions = (rows: number) => (rows >= 1_000_000 ? `${rows / 1_000_000} M` : rows.toLocaleString('en-US'));

/** The references run as their authors recommend for production. */
const cleanEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => shippedEnv({ NODE_ENV: 'production', ...extra });

/** `npm start`'s own build step, so the measured start finds dist/ current as a second `npm start` would. */
function build(root: string) {
  log('building (scripts/buildIfChanged.mjs, as npm start does)…');
  const result = spawnSync(process.execPath, ['scripts/buildIfChanged.mjs'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the build failed with ${result.status}`);
}

function selectTargets(all: Target[], only: TargetId[] | undefined): Target[] {
  if (only === undefined) return all;
  const wanted = new Set<TargetId>(only);
  for (const t of all) if (t.baseline !== undefined && wanted.has(t.baseline)) wanted.add(t.id);
  for (const t of all) if (t.side === 'kataven' && wanted.has(t.id) && t.peer) wanted.add(t.peer);
  for (const t of all) if (wanted.has(t.id) && t.stackFloor) wanted.add(t.stackFloor);
  return all.filter((t) => t.id === 'express' || t.id === 'express-preset' || wanted.has(t.id));
}

/** What the stack-floor reference repeats of the service's answers: what Express sets itself and the per-request id are left out. */
function answerHeaders(headers: Headers): Record<string, string> {
  const own = new Set(['date', 'connection', 'keep-alive', 'content-length', 'content-type', 'x-request-id']);
  return Object.fromEntries([...headers].filter(([name]) => !own.has(name)));
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

export async function runBench(root: string, options: BenchOptions): Promise<number> {
  const startedAt = new Date();
  const machine = describeThisMachine(root);
  const outDir = options.out ?? join(root, 'bench', 'results', options.smoke ? 'smoke' : timestamp(startedAt));
  mkdirSync(outDir, { recursive: true });
  const profileDir = join(outDir, 'profile');

  if (isBusy(machine)) {
    log(`warning: the machine is already busy (load ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, CPU pressure ${((machine.cpuPressureAtStart ?? 0) * 100).toFixed(0)} %): absolute numbers will be low and noisy; the per-round ratios hold up better`);
  }
  if (options.build) build(root);
  if (!existsSync(join(root, 'dist', 'server', 'main.js'))) throw new Error('dist/server/main.js is missing: run npm run build');

  const work = mkdtempSync(join(tmpdir(), 'kataven-bench-'));
  const children: ChildServer[] = [];
  const windows: MeasuredWindow[] = [];
  const spans = new Map<TargetId, TimeRange[]>();
  let kataven: ChildServer | undefined;
  let postgresDatabase: BenchDatabase | undefined;
  let grownPostgresDatabase: BenchDatabase | undefined;
  const purges: PurgeUnderLoad[] = [];
  let memoryAfter: ReturnType<ChildServer['memory']>;
  let targets: Target[] = [];

  /**
   * Seeds a widget in the database and starts the service as `npm start` does (its `node` command
   * from package.json, the build being current) with only a port, the database, rate limits and the demo off, plus
   * `env`; its stdout goes to a separate draining process as to a log shipper. Reads the config's ETag.
   */
  const startService = async (name: string, databaseUrl: string, env: Record<string, string>, profile: boolean, grow = false) => {
    const widget = await seedBenchWidget(databaseUrl);
    if (grow) {
      const startedSeeding = performance.now();
      await seedGrownRows(databaseUrl, widget.clientKey, { live: options.grownRows, expired: 0 }, Date.now());
      log(`${name}: seeded ${options.grownRows.toLocaleString('en-US')} live sessions, refresh tokens and spent visitor jtis in ${((performance.now() - startedSeeding) / 1000).toFixed(1)} s`);
    }
    const port = await freePort();
    const child = await startChildServer({
      name,
      cwd: root,
      args: [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...npmStartArgs(root)],
      port,
      readyPath: '/readyz',
      drainStdout: true,
      env: shippedEnv({ PORT: String(port), DATABASE_URL: databaseUrl, KATAVEN_RATE_LIMITS: 'off', KATAVEN_DEMO: 'off', ...(options.shedding ? {} : { KATAVEN_OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' }), ...env }),
    });
    children.push(child);
    const configRes = await fetch(`${child.baseUrl}/api/v1/widget/config?client_key=${widget.clientKey}`, { headers: { origin: BENCH_ORIGIN } });
    const etag = configRes.headers.get('etag');
    if (configRes.status !== 200 || etag === null) throw new Error(`${name}: config answered ${configRes.status} without an ETag`);
    const configAnswer = { headers: answerHeaders(configRes.headers), body: (await configRes.json()) as unknown };
    return { child, databaseUrl, service: { url: child.baseUrl, widget, etag }, configAnswer };
  };

  try {
    const sqlite = await startService('kataven', `file:${join(work, 'kataven.sqlite')}`, {}, options.profile);
    kataven = sqlite.child;
    log(`kataven   ${kataven.baseUrl}  (as npm start runs it, LOG_LEVEL info)  answered /healthz ${Math.round(kataven.startupMs)} ms after spawn`);
    const twins: Twin[] = [];
    const twinServers = new Map<TwinName, ChildServer>();
    if (options.logComparison) {
      const warn = await startService('kataven-warn', `file:${join(work, 'kataven-warn.sqlite')}`, { LOG_LEVEL: 'warn' }, false);
      twins.push({ name: 'warn', label: 'LOG_LEVEL=warn', service: warn.service });
      twinServers.set('warn', warn.child);
      log(`kataven with LOG_LEVEL=warn ${warn.child.baseUrl}`);
    }
    const grownDatabases = new Map<TwinName, string>();
    if (options.grown) {
      const grown = await startService('kataven-grown', `file:${join(work, 'kataven-grown.sqlite')}`, {}, false, true);
      twins.push({ name: 'grown', label: `${millions(options.grownRows)} rows`, service: grown.service });
      twinServers.set('grown', grown.child);
      grownDatabases.set('grown', grown.databaseUrl);
    }
    if (options.store === 'postgres') {
      const postgresEnv =
        options.redisUrl === undefined
          ? {}
          : {
              REDIS_URL: options.redisUrl,
              KATAVEN_REDIS_KEY_PREFIX: `bench-${timestamp(startedAt)}:`,
              KATAVEN_RATE_LIMITS: 'on',
              KATAVEN_RATE_LIMIT_GUEST_PER_IP: '100000000/min',
              KATAVEN_RATE_LIMIT_GUEST_PER_WIDGET: '100000000/min',
              KATAVEN_RATE_LIMIT_EXCHANGE_PER_IP: '100000000/min',
              KATAVEN_RATE_LIMIT_REFRESH_PER_IP: '100000000/min',
              KATAVEN_RATE_LIMIT_USER_TOKEN_PER_KEY: '100000000/min',
            };
      postgresDatabase = await createBenchDatabase(options.postgresUrl);
      const postgres = await startService('kataven-postgres', postgresDatabase.url, postgresEnv, false);
      twins.push({ name: 'postgres', label: 'PostgreSQL', service: postgres.service });
      twinServers.set('postgres', postgres.child);
      log(`kataven on PostgreSQL ${postgres.child.baseUrl}${options.redisUrl === undefined ? '' : `, rate limits in Redis ${options.redisUrl}`}`);
      if (options.grown) {
        grownPostgresDatabase = await createBenchDatabase(options.postgresUrl);
        const grown = await startService('kataven-postgres-grown', grownPostgresDatabase.url, postgresEnv, false, true);
        twins.push({ name: 'postgres-grown', label: `PostgreSQL, ${millions(options.grownRows)} rows`, service: grown.service, baseline: 'postgres' });
        twinServers.set('postgres-grown', grown.child);
        grownDatabases.set('postgres-grown', grown.databaseUrl);
      }
    }

    let overload: Awaited<ReturnType<typeof startService>> | undefined;
    if (options.only === undefined || options.only.includes('guest-4000')) {
      overload = await startService('kataven-overload', `file:${join(work, 'overload.sqlite')}`, {}, options.profile);
      log(`kataven for the 4,000-connection target (the same configuration, its own process) ${overload.child.baseUrl}`);
    }

    if (options.metrics) {
      // Metrics on the main port behind a token, as a deployment without a private port runs them.
      const metered = await startService('kataven-metrics', `file:${join(work, 'metered.sqlite')}`, { KATAVEN_METRICS_TOKEN: 'bench-metrics-token-0123456789' }, false);
      twins.push({ name: 'metrics', label: 'metrics on', service: metered.service });
      twinServers.set('metrics', metered.child);
      log(`kataven with metrics on ${metered.child.baseUrl}`);
    }

    const tsx = ['--import', 'tsx'];
    const startReference = async (name: string, script: string, env: Record<string, string> = {}) => {
      const port = await freePort();
      const child = await startChildServer({ name, cwd: root, args: [...tsx, `scripts/bench/references/${script}`], port, env: cleanEnv({ PORT: String(port), ...env }) });
      children.push(child);
      return child;
    };
    const express = await startReference('bare-express', 'bareExpress.ts');
    const expressPreset = await startReference('bare-express-preset', 'bareExpress.ts', { BARE_EXPRESS_SERVED_AS_SERVICE: 'on' });
    const peer = await startReference('oidc-provider', 'oidcPeer.ts');
    const { path: guestPath, ...guestInit } = guestRequest(sqlite.service.widget.clientKey);
    const guestRes = await fetch(`${sqlite.service.url}${guestPath}`, guestInit);
    if (guestRes.status !== 200) throw new Error(`kataven: guest answered ${guestRes.status}`);
    const guestAnswer = { headers: answerHeaders(guestRes.headers), body: (await guestRes.json()) as unknown };
    const stackEnv = { STACK_FLOOR_ANSWER: JSON.stringify(sqlite.configAnswer), STACK_FLOOR_SIGNED_ANSWER: JSON.stringify(guestAnswer) };
    const stack = await startReference('ts-rest-floor', 'tsRestFloor.ts', stackEnv);
    // What 4,000 connections leave behind must not weigh on the 50-connection reference, as for the service.
    const stackOverload = overload && (await startReference('ts-rest-floor-4000', 'tsRestFloor.ts', stackEnv));
    log(`references: bare Express ${express.baseUrl} (served as the service is: ${expressPreset.baseUrl}), ts-rest on Express ${stack.baseUrl}, oidc-provider ${peer.baseUrl}`);

    targets = selectTargets(
      benchTargets({
        urls: {
          express: express.baseUrl,
          expressPreset: expressPreset.baseUrl,
          stack: stack.baseUrl,
          ...(stackOverload && { stackOverload: stackOverload.baseUrl }),
          peer: peer.baseUrl,
        },
        kataven: sqlite.service,
        twins,
        ...(overload && { overload: overload.service }),
        connections: options.connections,
      }),
      options.only,
    );
    const estimates = new Map<TargetId, number>();
    const service = kataven;
    const twinOf = (target: Target) => twinServers.get(target.id.split('@')[1] as TwinName);
    const referenceOf = (id: TargetId) =>
      id === 'stack-floor-signed-4000' && stackOverload !== undefined ? stackOverload : isStackFloor(id) ? stack : id === 'express-preset' ? expressPreset : express;
    const serverOf = (target: Target) =>
      (target.instance === 'overload' ? overload?.child : undefined) ??
      twinOf(target) ??
      (target.side === 'kataven' ? service : target.side === 'peer' ? peer : referenceOf(target.id));
    const byId = new Map(targets.map((t) => [t.id, t]));
    const specFor = (target: Target, seconds: number) =>
      target.prepare({ seconds, estimateRps: estimates.get(target.id) ?? (options.smoke ? SMOKE_ESTIMATE_RPS : INITIAL_ESTIMATE_RPS) });
    /** Runs `load` while counting the CPU each of `servers` spends, per completed answer of its window. */
    const withCpu = async <R extends WindowResult[]>(servers: readonly ChildServer[], load: () => Promise<R>): Promise<R> => {
      const before = servers.map((server) => server.cpuMicros());
      const results = await load();
      for (const [i, server] of servers.entries()) {
        const result = results[i];
        const from = before[i];
        const to = server.cpuMicros();
        if (result !== undefined && from !== undefined && to !== undefined && result.completed > 0) {
          result.cpuMicrosPerRequest = (to - from) / result.completed;
        }
      }
      return results;
    };
    const measure = async (target: Target, seconds: number, warmUp = false): Promise<WindowResult & { pairedBaseline?: WindowResult }> => {
      const connections = target.connections ?? options.connections;
      const baseline = warmUp || target.baseline === undefined ? undefined : byId.get(target.baseline);
      // Pools of single-use values are minted before the window, outside its CPU and profile span.
      const spec = await specFor(target, seconds);
      const paired = baseline && { server: serverOf(baseline), spec: await specFor(baseline, seconds) };
      // An instance that has served nothing for a while is slower for its first seconds of load,
      // and a twin often waits several windows for its turn: both get the same unmeasured second
      // first. Single-use targets need no such second: minting their pools just loaded both.
      if (paired !== undefined && baseline !== undefined && !target.singleUse) {
        await runPairedWindows(
          [
            { spec: await specFor(target, WARMUP_SECONDS), connections },
            { spec: await specFor(baseline, WARMUP_SECONDS), connections },
          ],
          target.expectStatus,
        );
      }
      const fromUs = monotonicMicros();
      let result: WindowResult;
      let pairedBaseline: WindowResult | undefined;
      if (paired === undefined) {
        [result] = await withCpu([serverOf(target)], async () => [await runWindow(spec, connections, target.expectStatus)]);
      } else {
        // A twin runs at the same time as its baseline, so their ratio sees one moment of the machine.
        [result, pairedBaseline] = await withCpu([serverOf(target), paired.server], () =>
          runPairedWindows([{ spec, connections }, { spec: paired.spec, connections }], target.expectStatus),
        );
      }
      if (!warmUp) spans.set(target.id, [...(spans.get(target.id) ?? []), { fromUs, toUs: monotonicMicros() }]);
      if (target.connections !== undefined) {
        const waitedMs = await untilIdle(serverOf(target));
        if (waitedMs > 1000) log(`  ${target.label}: its instance was busy for ${(waitedMs / 1000).toFixed(1)} s after the window; the next target waited`);
      }
      if (result.ok > 0 && pairedBaseline === undefined) estimates.set(target.id, result.rps);
      return pairedBaseline === undefined ? result : { ...result, pairedBaseline };
    };

    if (!options.smoke) {
      log(`warm-up: ${WARMUP_SECONDS} s per target`);
      for (const target of targets) await measure(target, WARMUP_SECONDS, true);
    }
    for (let round = 1; round <= options.rounds; round++) {
      // Reversed every other round: a pair measured back to back (a twin and its default, a
      // route and bare Express) is not always measured in the same order of a drifting machine.
      for (const target of round % 2 === 0 ? [...targets].reverse() : targets) {
        const result = await measure(target, options.smoke ? options.seconds : Math.max(options.seconds, target.minSeconds ?? 0));
        windows.push({ ...result, target: target.id, round });
        const off = result.unexpected + result.errors > 0 ? `  (${result.errors} errors, statuses ${JSON.stringify(result.statuses)})` : '';
        const okLatency = result.unexpected > 0 ? `  (${target.expectStatus} only: p50 ${result.okP50} ms, p99 ${result.okP99} ms, sent after the first ${OPENING_MS / 1000} s ${result.okP99AfterOpening} ms)` : '';
        const baselineLabel = (target.baseline && byId.get(target.baseline)?.label) ?? 'its baseline';
        const paired = result.pairedBaseline === undefined ? '' : `  (at once with ${baselineLabel}: ${Math.round(result.pairedBaseline.rps)} req/s)`;
        log(
          `round ${round}/${options.rounds}  ${target.label.padEnd(46)} ${Math.round(result.rps).toString().padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms${okLatency}${off}${paired}`,
        );
      }
    }
    memoryAfter = kataven.memory();

    for (const [name, databaseUrl] of grownDatabases) {
      const target = targets.find((t) => t.id === `exchange@${name}`);
      const twin = twins.find((t) => t.name === name);
      if (target === undefined || twin === undefined) continue;
      purges.push(
        await measurePurgeUnderLoad({
          label: target.label,
          databaseUrl,
          clientKey: twin.service.widget.clientKey,
          target,
          connections: options.connections,
          rows: options.grownRows,
          log,
        }),
      );
    }
  } finally {
    for (const child of children) await child.stop();
    rmSync(work, { recursive: true, force: true });
    await postgresDatabase?.drop();
    await grownPostgresDatabase?.drop();
  }

  const summaries = summarize(targets, windows);
  const budgets = evaluateBudgets(summaries, { startupMs: kataven.startupMs, rssBytesAfterRun: memoryAfter?.rssBytes, purges });
  const settings = { connections: options.connections, seconds: options.seconds, rounds: options.rounds };
  const finishedAt = new Date();
  const results = {
    schema: 1,
    mode: options.smoke ? 'smoke' : 'full',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    settings,
    machine,
    loadAverageAtEnd: loadavg(),
    cpuPressureAtEnd: cpuPressure(),
    kataven: { startupMs: kataven.startupMs, rssBytesAfterRun: memoryAfter?.rssBytes, peakRssBytes: memoryAfter?.peakRssBytes },
    targets: summaries,
    purges,
    budgets,
    windows,
  };
  const subtitle = `${describeMachine(machine)} · ${settings.rounds} round(s) × ${settings.seconds} s · ${startedAt.toISOString().slice(0, 10)}`;
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, 'machine.json'), `${JSON.stringify(machine, null, 2)}\n`);
  writeFileSync(join(outDir, 'table.md'), markdownReport({ summaries, budgets, machine, settings, startedAt: startedAt.toISOString() }));
  writeFileSync(join(outDir, 'chart.svg'), barChartSvg(summaries, subtitle));

  log('');
  log(`Medians over ${settings.rounds} round(s), ${settings.connections} connections — ${describeMachine(machine)}`);
  log(textReport(summaries, budgets));
  if (memoryAfter) log(`server RSS after the run ${(memoryAfter.rssBytes / 2 ** 20).toFixed(1)} MB (peak ${(memoryAfter.peakRssBytes / 2 ** 20).toFixed(1)} MB)`);

  if (options.profile && existsSync(profileDir)) {
    for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
      const profile = readCpuProfile(join(profileDir, file));
      log(`\nprofile ${join(profileDir, file)}: hottest functions by self time, idle excluded, inside the measured windows`);
      for (const target of targets) {
        const ranges = spans.get(target.id);
        if (target.side !== 'kataven' || ranges === undefined) continue;
        log(`\n${target.label}`);
        log(formatHotFunctions(hotFunctions(profile, { top: 20, ranges })));
      }
    }
  }

  if (!options.smoke && options.out === undefined && options.only === undefined) {
    const latest = join(root, 'bench', 'results', 'latest');
    rmSync(latest, { recursive: true, force: true });
    mkdirSync(latest, { recursive: true });
    for (const file of OUTPUT_FILES) cpSync(join(outDir, file), join(latest, file));
    log(`\nwrote ${outDir} and bench/results/latest/`);
  } else {
    log(`\nwrote ${outDir}`);
  }

  const silent = summaries.filter((s) => s.ok === 0).map((s) => s.label);
  const missing = OUTPUT_FILES.filter((f) => !existsSync(join(outDir, f)) || statSync(join(outDir, f)).size === 0);
  if (silent.length > 0) log(`FAILED: no answer with the expected status from ${silent.join(', ')}`);
  if (missing.length > 0) log(`FAILED: not written: ${missing.join(', ')}`);
  return silent.length === 0 && missing.length === 0 ? 0 : 1;
}
