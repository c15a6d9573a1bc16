import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

export interface LogDrain {
  /** The pipe's write end, to hand to the server as its stdout. */
  input: Writable;
  /** Resolves once the drain has read to the end (every writer closed its end) and exited. */
  exited: Promise<void>;
}

/**
 * A separate process that reads a server's stdout and throws it away, as a log shipper reads a
 * container's output: the lines cost the server what writing to a pipe costs, and reading them
 * costs the load generator nothing.
 */
export function startLogDrain(): LogDrain {
  const drain = spawn('cat', [], { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => drain.once('exit', () => resolve()));
  return { input: drain.stdin, exited };
}
