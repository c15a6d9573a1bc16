import autocannon, { type Instance, type Options, type Request, type Result } from 'autocannon';

/** One autocannon run against one target, minus the settings every run shares. */
export type LoadSpec = Omit<Options, 'connections' | 'duration' | 'amount'> &
  ({ seconds: number; amount?: undefined } | { amount: number; seconds?: undefined });

export interface WindowResult {
  /** Responses with the expected status, per second of the window. */
  rps: number;
  /** Milliseconds, over every response of the window. */
  p50: number;
  p99: number;
  /** Milliseconds, over the responses with the expected status only (a shed 503 is fast and would flatter p99). */
  okP50: number;
  okP99: number;
  /**
   * The same p99 over the requests sent once the window's first `OPENING_MS` had passed. A burst
   * of new connections waits in the kernel's accept queue, and Node (libuv 1.46 and later) accepts one
   * connection per event-loop turn, so under load the first request of a late connection can wait
   * seconds before the server sees it; this figure leaves those out.
   */
  okP99AfterOpening: number;
  /** Responses with the expected status per second, counted from `OPENING_MS` into the window on. */
  rpsAfterOpening: number;
  /** From the first request to the last answer. */
  seconds: number;
  completed: number;
  /** Responses with the expected status. */
  ok: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** Responses with any other status. */
  unexpected: number;
  statuses: Record<string, number>;
  /**
   * CPU the server process spent per completed response during the window, all threads, in
   * microseconds. Unlike req/s it barely moves when a noisy neighbour takes the machine's cores.
   */
  cpuMicrosPerRequest?: number;
}

/** The value below which `fraction` of the samples lie, in whole milliseconds (0 without samples). */
function percentile(samples: number[], fraction: number): number {
  if (samples.length === 0) return 0;
  const sorted = samples.sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0);
}

interface Run {
  startedAt: number;
  /** Arrival time of each answer with the expected status, in order. */
  okArrivals: number[];
  okLatencies: number[];
  /** Latencies of the expected answers to requests sent `OPENING_MS` or more into the window. */
  okLatenciesAfterOpening: number[];
  lastResponseAt: number;
  result: Result;
}

/** How long from the start of a window requests count as sent while its connections were opening. */
export const OPENING_MS = 2000;

function startRun(spec: LoadSpec, connections: number, expectStatus: number): { instance: Instance; done: Promise<Run> } {
  const { seconds, amount, ...options } = spec;
  const startedAt = performance.now();
  const run = { startedAt, okArrivals: [] as number[], okLatencies: [] as number[], okLatenciesAfterOpening: [] as number[], lastResponseAt: startedAt };
  const instance = autocannon({
    ...options,
    connections,
    timeout: 10,
    ...(amount === undefined ? { duration: seconds } : { amount: Math.max(amount, connections) }),
  });
  // autocannon ends a run on its next 1 s sampling tick, so its own `duration` can overstate a
  // window of `amount` requests by up to a second; the last answer's arrival is exact.
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    run.lastResponseAt = performance.now();
    if (statusCode === expectStatus) {
      run.okArrivals.push(run.lastResponseAt);
      run.okLatencies.push(responseTime);
      if (run.lastResponseAt - responseTime - startedAt >= OPENING_MS) run.okLatenciesAfterOpening.push(responseTime);
    }
  });
  return { instance, done: Promise.resolve(instance).then((result) => ({ ...run, result })) };
}

/** The window's figures, its rate counted over the answers that arrived by `until`. */
function windowResult(run: Run, expectStatus: number, until: number): WindowResult {
  const { result } = run;
  const elapsedSeconds = (until - run.startedAt) / 1000;
  const statuses: Record<string, number> = {};
  let completed = 0;
  for (const [status, stat] of Object.entries(result.statusCodeStats)) {
    const count = stat?.count ?? 0;
    statuses[status] = count;
    completed += count;
  }
  const ok = statuses[String(expectStatus)] ?? 0;
  const okInTime = run.okArrivals.filter((at) => at <= until).length;
  const openedAt = run.startedAt + OPENING_MS;
  const okAfterOpening = run.okArrivals.filter((at) => at > openedAt && at <= until).length;
  return {
    rps: elapsedSeconds > 0 ? okInTime / elapsedSeconds : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    okP50: percentile(run.okLatencies, 0.5),
    okP99: percentile(run.okLatencies, 0.99),
    okP99AfterOpening: percentile(run.okLatenciesAfterOpening, 0.99),
    rpsAfterOpening: until > openedAt ? okAfterOpening / ((until - openedAt) / 1000) : 0,
    seconds: elapsedSeconds,
    completed,
    ok,
    // autocannon counts a timeout in `errors` too.
    errors: result.errors,
    unexpected: completed - ok,
    statuses,
  };
}

/** Runs one window at `connections` and counts what answered `expectStatus` as throughput. */
export async function runWindow(spec: LoadSpec, connections: number, expectStatus: number): Promise<WindowResult> {
  const run = await startRun(spec, connections, expectStatus).done;
  return windowResult(run, expectStatus, run.lastResponseAt);
}

/**
 * Two windows at once, each against its own server: both see the same moments of a machine whose
 * speed drifts, so their ratio holds where two windows one after the other can differ by half.
 * The first to finish (a spent pool of single-use values) stops the other, and rates count only
 * the answers that arrived while both were running.
 */
export async function runPairedWindows(
  windows: readonly [{ spec: LoadSpec; connections: number }, { spec: LoadSpec; connections: number }],
  expectStatus: number,
): Promise<[WindowResult, WindowResult]> {
  const runs = windows.map(({ spec, connections }) => startRun(spec, connections, expectStatus));
  for (const [i, { done }] of runs.entries()) {
    void done.then(() => {
      runs[1 - i]?.instance.stop();
    });
  }
  const [a, b] = await Promise.all(runs.map(({ done }) => done));
  if (a === undefined || b === undefined) throw new Error('a paired window did not run');
  const until = Math.min(a.lastResponseAt, b.lastResponseAt);
  return [windowResult(a, expectStatus, until), windowResult(b, expectStatus, until)];
}

/**
 * A request whose JSON body is built per request from a pool of single-use values. When the pool
 * runs dry the request still goes out with an unusable value, so the shortfall shows up as
 * unexpected statuses instead of a stalled run.
 */
export function poolRequest(
  base: { method: string; path: string; headers: Record<string, string> },
  pool: string[],
  body: (value: string) => string,
): Request {
  let next = 0;
  return {
    ...base,
    setupRequest: (request) => ({ ...request, body: body(pool[next++] ?? 'pool-exhausted') }),
  };
}

/** Sends `amount` requests and collects one string from each successful JSON answer. */
export async function collect(
  url: string,
  connections: number,
  amount: number,
  request: Request,
  pick: (json: Record<string, unknown>) => unknown,
  options: Pick<Options, 'reconnectRate'> = {},
): Promise<string[]> {
  const values: string[] = [];
  let failures = 0;
  await autocannon({
    ...options,
    url,
    connections: Math.min(connections, amount),
    amount,
    timeout: 10,
    requests: [
      {
        ...request,
        onResponse: (status, body) => {
          const value = status === 200 ? pick(JSON.parse(body) as Record<string, unknown>) : undefined;
          if (typeof value === 'string') values.push(value);
          else failures++;
        },
      },
    ],
  });
  if (values.length < amount) {
    throw new Error(`minting a pool at ${url}: ${values.length} of ${amount} answered 200 (${failures} did not)`);
  }
  return values;
}
