import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processCpuMicros, untilIdle } from './childServer.js';

describe('processCpuMicros', () => {
  it('adds utime and stime, in microseconds, even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 11 0 100 0 0';
    expect(processCpuMicros(stat)).toBe((250 + 75) * 10_000);
  });

  it('reads this process from /proc and grows as it works', () => {
    const read = () => processCpuMicros(readFileSync('/proc/self/stat', 'utf8'));
    const before = read();
    const until = Date.now() + 60;
    while (Date.now() < until) Math.sqrt(Math.random());
    const after = read();
    expect(before).toBeTypeOf('number');
    expect(after).toBeGreaterThan(before ?? Number.POSITIVE_INFINITY);
  });
});

describe('untilIdle', () => {
  /** A server whose CPU counter grows by each step's figure, in microseconds, then stays put; counts its reads. */
  const busyFor = (steps: number[]) => {
    let total = 0;
    const server = {
      reads: 0,
      cpuMicros: () => {
        if (server.reads > 0) total += steps[server.reads - 1] ?? 0;
        server.reads++;
        return total;
      },
    };
    return server;
  };

  it('keeps polling while the server keeps a core busy and stops at the first quiet interval', async () => {
    // Busy (10 ms per 10 ms step), busy, then quiet: the first read, then three more.
    const server = busyFor([10_000, 10_000, 0, 10_000]);
    await untilIdle(server, { stepMs: 10 });
    expect(server.reads).toBe(4);
  });

  it('gives up after maxMs on a server that never goes quiet', async () => {
    const server = busyFor(Array.from({ length: 10_000 }, () => 10_000));
    const waited = await untilIdle(server, { stepMs: 10, maxMs: 50 });
    expect(waited).toBeGreaterThanOrEqual(50);
    expect(server.reads).toBeGreaterThan(1);
  });

  it('returns at once without a CPU counter (not Linux)', async () => {
    expect(await untilIdle({ cpuMicros: () => undefined })).toBe(0);
  });
});
