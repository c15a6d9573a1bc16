import { pbkdf2 } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, drainLogs } from './logger.js';

const dir = mkdtempSync(join(tmpdir(), 'kataven-logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A logger writing as the shipped one does (asynchronously, in batches) to a file of its own. */
function fileLogger(name: string) {
  const path = join(dir, `${name}.log`);
  const destination = pino.destination({ dest: openSync(path, 'w'), sync: false, minLength: 4096 });
  const logger = createLogger({ level: 'info', destination });
  const messages = () =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
  return { logger, messages };
}

/** Keeps every thread of libuv's pool busy for a while, so a write handed to it waits in its queue. */
function occupyThreadPool(): Promise<unknown> {
  const threads = 64;
  return Promise.all(
    Array.from({ length: threads }, () => new Promise((resolve) => pbkdf2('x', 'y', 200_000, 32, 'sha256', resolve))),
  );
}

describe('drainLogs', () => {
  it('writes a line logged while a batch is still queued for the pool after that batch, not before it', async () => {
    const { logger, messages } = fileLogger('queued');
    const busy = occupyThreadPool();
    const batch = Array.from({ length: 60 }, (_, index) => `batch line ${index} ${'x'.repeat(80)}`);
    for (const message of batch) logger.info(message);
    logger.info('last');
    await drainLogs(logger, 60_000);
    expect(messages()).toEqual([...batch, 'last']);
    await busy;
  });

  it('leaves nothing under way, so a fatal line logged next (written synchronously by pino) comes last', async () => {
    const { logger, messages } = fileLogger('fatal');
    const busy = occupyThreadPool();
    const batch = Array.from({ length: 60 }, (_, index) => `batch line ${index} ${'x'.repeat(80)}`);
    for (const message of batch) logger.info(message);
    await drainLogs(logger, 60_000);
    logger.fatal('fatal');
    expect(messages()).toEqual([...batch, 'fatal']);
    await busy;
  });

  it('writes what is buffered at once when nothing is being written', async () => {
    const { logger, messages } = fileLogger('idle');
    logger.info('only');
    await drainLogs(logger, 60_000);
    expect(messages()).toEqual(['only']);
  });
});
