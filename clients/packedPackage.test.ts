import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import * as z from 'zod';
import { serverTestWith } from '../server/test-support/serverTest.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

const Manifest = z.object({
  version: z.string(),
  dependencies: z.record(z.string(), z.string()),
  engines: z.unknown(),
});
const Lockfile = z.object({
  packages: z.record(
    z.string(),
    z.looseObject({
      version: z.string().optional(),
      dev: z.boolean().optional(),
      name: z.string().optional(),
      resolved: z.string().optional(),
    }),
  ),
});

let dir: string;
let consumer: string;

/**
 * The consumer pins the same dependency versions the repository was tested with (its own
 * lockfile, as a real project has), so the install works from the npm cache that `npm ci` filled.
 * Registry URLs are filled in because this repository's lockfile omits them.
 */
function consumerLockfile(tarball: string): unknown {
  const manifest = Manifest.parse(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')));
  const lock = Lockfile.parse(JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')));
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { 'kataven-widget-auth': `file:${tarball}` } },
    'node_modules/kataven-widget-auth': {
      version: manifest.version,
      resolved: `file:${tarball}`,
      integrity,
      dependencies: manifest.dependencies,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true || entry.version === undefined) continue;
    const name =
      entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const file = name.slice(name.lastIndexOf('/') + 1);
    packages[path] = {
      ...entry,
      resolved:
        entry.resolved ?? `https://registry.npmjs.org/${name}/-/${file}-${entry.version}.tgz`,
    };
  }
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

const RUN_MJS = `
import { apiErrors, contract } from 'kataven-widget-auth/contract';
import { createServerClient, verifySessionToken, KatavenError } from 'kataven-widget-auth/node';
import { createWidgetAuth, KatavenError as BrowserKatavenError } from 'kataven-widget-auth/browser';

const { BASE_URL, CLIENT_KEY, SECRET_KEY } = process.env;
const visitor = await createServerClient({ baseUrl: BASE_URL, secretKey: SECRET_KEY }).createUserToken({ client_key: CLIENT_KEY, user_id: 'u_packed' });
let code;
try {
  await createServerClient({ baseUrl: BASE_URL, secretKey: 'sk_test_kt_unknown' }).createUserToken({ client_key: CLIENT_KEY, user_id: 'u' });
} catch (error) {
  code = error instanceof KatavenError ? error.code : 'not a KatavenError';
}
let deepImport;
try {
  await import('kataven-widget-auth/dist/server/main.js');
  deepImport = 'allowed';
} catch (error) {
  deepImport = error.code;
}
console.log(JSON.stringify({
  routes: Object.keys(contract).length,
  rateLimited: apiErrors.rate_limited.message,
  userId: visitor.user_id,
  code,
  oneErrorClass: KatavenError === BrowserKatavenError,
  createWidgetAuth: typeof createWidgetAuth,
  verifySessionToken: typeof verifySessionToken,
  deepImport,
}));
`;

const CHECK_TS = `
import { contract, type SessionTokenResponse, type WidgetConfig } from 'kataven-widget-auth/contract';
import { createServerClient, KatavenError, verifySessionToken, type SessionTokenClaims, type UserTokenRequest } from 'kataven-widget-auth/node';
import { createWidgetAuth, type WidgetAuth, type WidgetSession } from 'kataven-widget-auth/browser';

const request: UserTokenRequest = { client_key: 'pk_test_x', user_id: 'u_1', name: 'Ada', metadata: { plan: 'pro', seats: 3 } };
// @ts-expect-error user_id is required by the contract
export const missing: UserTokenRequest = { client_key: 'pk_test_x' };

export async function backend(token: string): Promise<string> {
  const kataven = createServerClient({ baseUrl: 'https://auth.example', secretKey: 'sk_test_kt_x', timeoutMs: 5000, maxRetries: 1 });
  const visitor = await kataven.createUserToken(request);
  const claims: SessionTokenClaims = await verifySessionToken(token, { issuer: 'https://auth.example' });
  const kind: 'guest' | 'user' = claims.kind;
  return visitor.token + visitor.user_id + kind + (claims.user_id ?? '');
}

export async function widget(): Promise<string> {
  const auth: WidgetAuth = createWidgetAuth({ baseUrl: 'https://auth.example', clientKey: 'pk_test_x', storage: 'memory' });
  const config: WidgetConfig = await auth.getConfig();
  const unsubscribe: () => void = auth.subscribe((session: WidgetSession | null) => session?.visitor.kind);
  unsubscribe();
  // @ts-expect-error storage is 'local', 'session' or 'memory'
  createWidgetAuth({ baseUrl: 'https://auth.example', clientKey: 'pk_test_x', storage: 'cookie' });
  try {
    return await auth.getSessionToken();
  } catch (error) {
    if (error instanceof KatavenError && error.code === 'origin_not_allowed') return config.copy.title;
    throw error;
  }
}

export const routes: string[] = Object.keys(contract);
export type Session = SessionTokenResponse['visitor'];
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022', 'DOM'],
    types: [],
    strict: true,
    exactOptionalPropertyTypes: true,
    // The contract's types reach into ts-rest's, whose own .d.ts files do not check against zod 4.
    skipLibCheck: true,
    noEmit: true,
  },
  files: ['check.ts'],
};

async function npm(args: string[], cwd: string) {
  return run('npm', args, {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kataven-pack-'));

  // `npm pack` runs `prepack` (the build) as it would before publishing.
  const packed = await npm(['pack', '--json', '--pack-destination', dir], REPO);
  const [info] = z.array(z.object({ filename: z.string() })).parse(JSON.parse(packed.stdout));
  const tarball = join(dir, info?.filename ?? 'missing.tgz');

  consumer = join(dir, 'consumer');
  mkdirSync(consumer);
  const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';
  writeFileSync(
    join(consumer, 'package.json'),
    json({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: { 'kataven-widget-auth': `file:${tarball}` },
    }),
  );
  writeFileSync(join(consumer, 'package-lock.json'), json(consumerLockfile(tarball)));
  writeFileSync(join(consumer, 'tsconfig.json'), json(TSCONFIG));
  writeFileSync(join(consumer, 'check.ts'), CHECK_TS);
  writeFileSync(join(consumer, 'run.mjs'), RUN_MJS);
  // No install scripts: the clients need none, and the server's native SQLite build is not theirs.
  const install = ['install', '--no-audit', '--no-fund', '--ignore-scripts'];
  try {
    await npm([...install, '--offline'], consumer);
  } catch {
    // A cache without these exact tarballs: fetch what is missing from the registry.
    await npm([...install, '--prefer-offline'], consumer);
  }
}, 300_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const it = serverTestWith({ widget: { mode: 'test', origins: [] } });

describe('the packed package, installed in a consumer project', () => {
  it('imports ./contract, ./node and ./browser from ESM and mints a token with the Node client', async ({
    server,
    widget,
  }) => {
    const { stdout } = await run(process.execPath, ['run.mjs'], {
      cwd: consumer,
      env: {
        ...process.env,
        BASE_URL: server.baseUrl,
        CLIENT_KEY: widget.clientKey,
        SECRET_KEY: widget.secretKey,
      },
    });
    expect(JSON.parse(stdout)).toEqual({
      routes: Object.keys((await import('../contract/index.js')).contract).length,
      rateLimited: 'Too many requests',
      userId: 'u_packed',
      code: 'invalid_api_key',
      oneErrorClass: true,
      createWidgetAuth: 'function',
      verifySessionToken: 'function',
      deepImport: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  }, 60_000);

  it('type-checks a consumer that uses all three entry points (tsc --noEmit, strict)', async () => {
    const result = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], {
      cwd: consumer,
    }).then(
      () => ({ ok: true, output: '' }),
      (error: unknown) => ({
        ok: false,
        // execFile's error carries the compiler's report on stdout.
        output: error instanceof Error && 'stdout' in error ? String(error.stdout) : String(error),
      }),
    );
    expect(result).toEqual({ ok: true, output: '' });
  }, 120_000);
});
