import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processCpuMicros } from './childServer.js';

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
