/**
 * Processes that race on one database. A contender script prints `ready` once it is loaded,
 * waits for a line on stdin so every contender starts together, then prints its result as JSON.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Contender<Result> {
  child: ChildProcessWithoutNullStreams;
  /** Lets the contender go. */
  start: () => void;
  result: Promise<Result>;
}

/** Resolves once the contender (`script`, run through tsx) is loaded and waits for its start line. */
export function spawnContender<Result>(script: string, args: string[]): Promise<Contender<Result>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args]);
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const result = new Promise<Result>((done, fail) => {
      child.on('close', (code) => {
        if (code === 0) done(JSON.parse(out.slice('ready\n'.length)) as Result);
        else fail(new Error(`contender exited with ${String(code)}: ${err}`));
      });
    });
    child.stdout.on('data', (chunk: Buffer) => {
      const wasReady = out.startsWith('ready\n');
      out += chunk.toString();
      if (!wasReady && out.startsWith('ready\n')) {
        resolve({ child, start: () => child.stdin.end('go\n'), result });
      }
    });
    child.on('error', reject);
    result.catch(reject);
  });
}

/** The contender's side: announces it is loaded and waits for the start line. */
export async function readyAndWait(): Promise<void> {
  const go = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  await new Promise((resolve) => go.once('line', resolve));
  go.close();
}
