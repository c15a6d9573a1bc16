import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fileLogger, logBatch, occupyThreadPool } from '../test-support/fileLogger.js';
import { createUncaughtErrorExit } from './uncaughtErrorExit.js';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.closeAllConnections();
});

/** A crash handler over a real server and a file logger; `exited` settles with the exit code. */
async function crashable(name: string) {
  const { logger, lines, messages } = fileLogger(name);
  let stderr = '';
  const exitCodes: number[] = [];
  let exit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const crash = createUncaughtErrorExit({
    logger,
    stopAccepting: () => server.close(),
    drainWaitMs: 60_000,
    writeStderr: (text) => (stderr += text),
    exit: (code) => {
      exitCodes.push(code);
      exit(code);
    },
  });
  const server = createServer(crash.guard((_req, res) => res.end('served')));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { logger, lines, messages, exited, port, exitCodes, stderr: () => stderr, handle: (error: unknown) => crash.handle(error) };
}

describe('an uncaught error', () => {
  it('is written to stderr, then the process exits 1 once every line before it is written and the error is the last line, at fatal', async () => {
    const app = await crashable('order');
    const busy = occupyThreadPool();
    const batch = logBatch(app.logger);
    app.handle(new Error('crash drill'));
    expect(app.stderr()).toContain('crash drill');
    expect(await app.exited).toBe(1);
    expect(app.messages()).toEqual([...batch, 'uncaught exception']);
    expect(app.lines().at(-1)).toMatchObject({ level: 60, event: 'uncaught_exception', err: { message: 'crash drill' } });
    await busy;
  });

  it('cuts off a request completed on an open connection after it, unanswered, and refuses new connections', async () => {
    const app = await crashable('cutoff');
    const busy = occupyThreadPool();
    logBatch(app.logger);
    const socket = connect(app.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    app.handle(new Error('crash drill'));
    socket.write('\r\n');
    await closed;
    expect(received).toBe('');
    const refused = await new Promise<string | undefined>((resolve) => {
      const late = connect(app.port, '127.0.0.1');
      late.once('connect', () => {
        late.destroy();
        resolve(undefined);
      });
      late.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    });
    expect(refused).toBe('ECONNREFUSED');
    expect(await app.exited).toBe(1);
    await busy;
  });

  it('another one while the first is being written out goes to stderr and to the log too, and the process exits once', async () => {
    const app = await crashable('twice');
    const busy = occupyThreadPool();
    const batch = logBatch(app.logger);
    app.handle(new Error('first'));
    app.handle(new Error('second'));
    expect(await app.exited).toBe(1);
    expect(app.stderr()).toMatch(/first[\s\S]*second/);
    expect(app.messages()).toEqual([...batch, 'uncaught exception', 'uncaught exception']);
    expect(app.lines().slice(-2).map((line) => (line.err as { message: string }).message)).toEqual(['first', 'second']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(app.exitCodes).toEqual([1]);
    await busy;
  });
});
