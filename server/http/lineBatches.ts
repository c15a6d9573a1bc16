import type { DestinationStream } from 'pino';

/** What `lineBatches` needs of sonic-boom (`pino.destination`), and a synchronous write to its file. */
export interface BatchTarget {
  write(data: string): boolean;
  /** Writes what the target holds; `done` once that write is over. */
  flush(done?: (error?: Error) => void): void;
  flushSync(): void;
  writeSync(data: string): void;
}

export interface LineBatches extends DestinationStream {
  /** Hands the lines held here to the target, then waits for the target's own write to finish. */
  flush(done: (error?: Error) => void): void;
  /** Writes everything out synchronously: what the target holds, then the lines held here. */
  flushSync(): void;
  /** Stops the timer that hands over a batch at low traffic (the lines held are handed over). */
  close(): void;
}

/**
 * Lines handed to sonic-boom a batch at a time, joined once: sonic-boom appends each write to its
 * pending string and measures the UTF-8 length of that whole string on every call (a flatten and
 * copy of up to `maxWrite` bytes), which at one line per request cost more than writing the line.
 * A batch goes once it holds `batchChars` characters, or within `flushEveryMs` at low traffic.
 */
export function lineBatches(target: BatchTarget, { batchChars, flushEveryMs }: { batchChars: number; flushEveryMs: number }): LineBatches {
  let lines: string[] = [];
  let chars = 0;
  const take = (): string | undefined => {
    if (lines.length === 0) return undefined;
    const batch = lines.length === 1 ? lines[0] : lines.join('');
    lines = [];
    chars = 0;
    return batch;
  };
  const handOver = () => {
    const batch = take();
    if (batch !== undefined) target.write(batch);
  };
  // The target writes a batch shorter than its own minimum only when flushed.
  const timer = setInterval(() => {
    handOver();
    target.flush();
  }, flushEveryMs);
  timer.unref();
  return {
    write(line: string) {
      lines.push(line);
      chars += line.length;
      if (chars >= batchChars) handOver();
    },
    flush(done) {
      handOver();
      target.flush(done);
    },
    flushSync() {
      // Handed over, a batch could start an asynchronous write that an exiting process never finishes.
      target.flushSync();
      const batch = take();
      if (batch !== undefined) target.writeSync(batch);
    },
    close() {
      clearInterval(timer);
      handOver();
    },
  };
}
