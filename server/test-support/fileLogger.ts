import { pbkdf2 } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { batchedDestination, createLogger } from '../http/logger.js';

export interface LoggedLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/**
 * A logger writing as the shipped one does (asynchronously, in batches, through libuv's pool) to a
 * file of its own, removed after the file's tests; `lines()` reads back what has reached the file.
 */
export function fileLogger(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `kataven-${name}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'out.log');
  const logger = createLogger({ level: 'info', destination: batchedDestination(openSync(path, 'w')) });
  const lines = () => readLogFile(path);
  return { logger, lines, messages: () => lines().map((line) => line.msg) };
}

/** Every line that has reached a log file, parsed. */
export function readLogFile(path: string): LoggedLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LoggedLine);
}

/** Logs enough lines to start a batch write, and returns their messages. */
export function logBatch(logger: { info(message: string): void }): string[] {
  const batch = Array.from({ length: 60 }, (_, index) => `batch line ${index} ${'x'.repeat(80)}`);
  for (const message of batch) logger.info(message);
  return batch;
}

/** Keeps every thread of libuv's pool busy for a while, so a write handed to it waits in its queue. */
export function occupyThreadPool(): Promise<unknown> {
  const jobs = 64;
  return Promise.all(Array.from({ length: jobs }, () => new Promise((resolve) => pbkdf2('x', 'y', 200_000, 32, 'sha256', resolve))));
}
