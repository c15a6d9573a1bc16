import { describe, expect, it, vi } from 'vitest';
import { lineBatches, type BatchTarget } from './lineBatches.js';

/** A target that records each write it is handed and each flush asked of it. */
function recordingTarget() {
  const writes: string[] = [];
  const calls: string[] = [];
  const target: BatchTarget = {
    write: (data) => {
      writes.push(data);
      return true;
    },
    flush: (done) => {
      calls.push('flush');
      done?.();
    },
    flushSync: () => void calls.push('flushSync'),
    writeSync: (data) => void calls.push(`writeSync ${data}`),
  };
  return { target, writes, calls };
}

describe('lineBatches', () => {
  it('hands lines over as one write once the batch holds the batch size, in order', () => {
    const { target, writes } = recordingTarget();
    const batches = lineBatches(target, { batchChars: 10, flushEveryMs: 60_000 });
    batches.write('abcd\n');
    expect(writes).toEqual([]);
    batches.write('efgh\n');
    batches.write('ij\n');
    expect(writes).toEqual(['abcd\nefgh\n']);
    batches.close();
    expect(writes).toEqual(['abcd\nefgh\n', 'ij\n']);
  });

  it('hands a lone line over within the flush interval at low traffic', () => {
    vi.useFakeTimers();
    try {
      const { target, writes, calls } = recordingTarget();
      const batches = lineBatches(target, { batchChars: 4096, flushEveryMs: 100 });
      batches.write('only\n');
      vi.advanceTimersByTime(99);
      expect(writes).toEqual([]);
      vi.advanceTimersByTime(1);
      expect([writes, calls]).toEqual([['only\n'], ['flush']]);
      batches.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('hands the held lines over before flushing the target', () => {
    const { target, writes, calls } = recordingTarget();
    const batches = lineBatches(target, { batchChars: 4096, flushEveryMs: 60_000 });
    batches.write('one\n');
    const done = vi.fn();
    batches.flush(done);
    expect([writes, calls, done.mock.calls.length]).toEqual([['one\n'], ['flush'], 1]);
    batches.close();
  });

  it('on a synchronous flush writes what the target holds first, then the held lines synchronously, never handing them over', () => {
    const { target, writes, calls } = recordingTarget();
    const batches = lineBatches(target, { batchChars: 4096, flushEveryMs: 60_000 });
    batches.write('one\n');
    batches.write('two\n');
    batches.flushSync();
    expect([writes, calls]).toEqual([[], ['flushSync', 'writeSync one\ntwo\n']]);
    batches.close();
  });
});
