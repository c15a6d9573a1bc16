import { describe, expect, it } from 'vitest';
import { fileLogger, logBatch, occupyThreadPool } from '../test-support/fileLogger.js';
import { drainLogs } from './logger.js';

describe('drainLogs', () => {
  it('writes a line logged while a batch is still queued for the pool after that batch, not before it', async () => {
    const { logger, messages } = fileLogger('queued');
    const busy = occupyThreadPool();
    const batch = logBatch(logger);
    logger.info('last');
    await drainLogs(logger, 60_000);
    expect(messages()).toEqual([...batch, 'last']);
    await busy;
  });

  it('leaves nothing under way, so a fatal line logged next (written synchronously by pino) comes last', async () => {
    const { logger, messages } = fileLogger('fatal');
    const busy = occupyThreadPool();
    const batch = logBatch(logger);
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
