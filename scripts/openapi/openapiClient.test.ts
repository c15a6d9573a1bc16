/**
 * Third-party codegen against our document, the way a customer's CI uses it: openapi-typescript
 * turns openapi.json into types, tsc checks a small openapi-fetch program against them, and the
 * program then runs the guest and signed-in handshakes against a live server.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import { describe, expect } from 'vitest';
import { serverTest as it } from '../../server/test-support/serverTest.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'examples', 'openapi-client');
const generated = join(example, 'generated', 'openapi.ts');

/** A node_modules CLI run with this Node, so no shell or npx is involved. */
async function cli(script: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(root, 'node_modules', script), ...args],
      { cwd: root },
    );
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${script} failed:\n${stdout}${stderr}`);
  }
}

/** What examples/openapi-client/handshake.ts returns (its own types are generated). */
interface Session {
  token_type: string;
  refresh_token: string;
  visitor: { id: string; kind: string; user_id: string | null; name: string | null };
}
interface HandshakeResult {
  agentName: string;
  guest: Session;
  refreshed: Session;
  userToken: { token_type: string; user_id: string; visitor_id: string };
  user: Session;
  refused: { status: number; message: string };
  logoutStatus: number;
}

describe('a client generated from openapi.json (openapi-typescript + openapi-fetch)', () => {
  it('is generated from openapi.json by openapi-typescript', { timeout: 60_000 }, async () => {
    rmSync(join(example, 'generated'), { recursive: true, force: true });
    await cli('openapi-typescript/bin/cli.js', ['openapi.json', '-o', generated]);
    const types = readFileSync(generated, 'utf8');
    expect(types).toContain('export interface paths');
    expect(types).toContain('"/api/v1/widget/auth/user-token"');
  });

  it(
    'type-checks the example program with tsc, including its expected type errors',
    { timeout: 120_000 },
    async () => {
      await cli('typescript/bin/tsc', ['-p', join(example, 'tsconfig.json')]);
    },
  );

  it("passes the project's type-aware lint", { timeout: 120_000 }, async () => {
    // `npm run lint` skips the example (its types only exist once generated); lint it here.
    const eslint = new ESLint({ cwd: root, ignore: false });
    const results = await eslint.lintFiles([join(example, 'handshake.ts')]);
    const problems = results.flatMap((result) =>
      result.messages.map((m) => `${result.filePath}:${m.line} ${m.ruleId ?? ''} ${m.message}`),
    );
    expect(problems).toEqual([]);
  });

  it('runs the guest and signed-in handshakes against the live server with typed results', async ({
    server,
  }) => {
    const { clientKey, secretKey } = await server.createWidget({
      mode: 'test',
      origins: ['https://shop.example.com'],
    });
    // Imported by URL so the project's own type check does not follow it into code whose types
    // only exist once generated; the test above type-checks it against them.
    const program = pathToFileURL(join(example, 'handshake.ts')).href;
    const { runHandshake } = (await import(/* @vite-ignore */ program)) as {
      runHandshake: (input: object) => Promise<HandshakeResult>;
    };
    const result = await runHandshake({
      baseUrl: server.baseUrl,
      clientKey,
      secretKey,
      origin: 'http://localhost:3000',
    });

    expect(result.agentName).toBe('Ava');
    expect(result.guest).toMatchObject({
      token_type: 'Bearer',
      visitor: { kind: 'guest', user_id: null, name: null },
    });
    expect(result.refreshed.visitor).toEqual(result.guest.visitor);
    expect(result.refreshed.refresh_token).not.toBe(result.guest.refresh_token);
    expect(result.userToken).toMatchObject({ token_type: 'Bearer', user_id: 'u_123' });
    expect(result.user.visitor).toEqual({
      id: result.userToken.visitor_id,
      kind: 'user',
      user_id: 'u_123',
      name: 'Ada',
    });
    expect(result.refused).toEqual({ status: 404, message: 'Unknown client_key' });
    expect(result.logoutStatus).toBe(204);
  });
});
