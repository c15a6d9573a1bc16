import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestServer } from './startTestServer.js';

export interface SecondInstance {
  baseUrl: string;
  close(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./secondInstanceMain.ts', import.meta.url));

/**
 * Starts another server process on the test server's database (real parallelism: another
 * process, other connections to the same SQLite file or PostgreSQL database), with its clock
 * fixed at the test clock's current instant and the same issuer and token settings.
 */
export async function startSecondInstance(
  server: TestServer,
  env: Record<string, string> = {},
): Promise<SecondInstance> {
  const childEnv = {
    KATAVEN_ISSUER: server.config.issuer,
    KATAVEN_RATE_LIMITS: 'off',
    KATAVEN_DEMO: 'off',
    KATAVEN_VISITOR_TOKEN_TTL: String(server.config.visitorTokenTtlSeconds),
    KATAVEN_SESSION_TOKEN_TTL: String(server.config.sessionTokenTtlSeconds),
    KATAVEN_REFRESH_TOKEN_TTL: String(server.config.refreshTokenTtlSeconds),
    KATAVEN_SESSION_MAX_AGE: String(server.config.sessionMaxAgeSeconds),
    KATAVEN_REFRESH_REUSE_GRACE: String(server.config.refreshReuseGraceSeconds),
    ...env,
  };
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      ENTRY,
      server.databaseUrl,
      String(server.clock.now()),
      JSON.stringify(childEnv),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(
      () => reject(new Error(`second instance did not start: ${stderr}`)),
      20_000,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`second instance exited (${code}): ${stderr}`));
    });
  });

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
