import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock.js';
import { openSqliteStore } from '../store/sqlite/openSqliteStore.js';
import type { Store } from '../store/store.js';
import { runAdminCli } from './cli.js';

const run = promisify(execFile);

describe('admin CLI', () => {
  let dir: string;
  let store: Store;
  const clock = createManualClock();
  const cli = (...argv: string[]) =>
    runAdminCli(argv, () => Promise.resolve({ store, clock, close: () => Promise.resolve() }));
  const json = async (...argv: string[]) => {
    const out = await cli(...argv);
    expect(out.exitCode, out.stderr).toBe(0);
    return JSON.parse(out.stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kataven-cli-'));
    store = await openSqliteStore({ url: `file:${join(dir, 'db.sqlite')}` });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('widget create makes an account, a live widget and a live secret key', async () => {
    const created = await json('widget', 'create', '--name', 'Shop', '--origin', 'https://shop.example.com');
    expect(created.client_key).toMatch(/^pk_live_/);
    expect(created.secret_key).toMatch(/^sk_live_kt_/);
    expect(created.account_id).toMatch(/^acct_/);
  });

  it('widget create --test --account adds a test widget to the account without a new key', async () => {
    const first = await json('widget', 'create', '--name', 'A', '--origin', 'https://a.example.com');
    const second = await json('widget', 'create', '--name', 'B', '--test', '--no-guest', '--account', String(first.account_id));
    expect(second.client_key).toMatch(/^pk_test_/);
    expect(second).not.toHaveProperty('secret_key');
    const list = (await json('widget', 'list')).widgets as { client_key: string; guest_enabled: boolean }[];
    expect(list.find((w) => w.client_key === second.client_key)?.guest_enabled).toBe(false);
  });

  it('refuses an allowlist entry that covers a public suffix, with the reason, exit code 1', async () => {
    const out = await cli('widget', 'create', '--name', 'Bad', '--origin', 'https://*.co.uk');
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toBe('');
    expect((JSON.parse(out.stderr) as { error: string }).error).toContain('public suffix');
  });

  it('widget origins adds and removes entries; disable and enable flip the flag', async () => {
    const { client_key } = await json('widget', 'create', '--name', 'O', '--origin', 'https://old.example.com');
    const changed = await json('widget', 'origins', String(client_key), '--add', 'https://*.example.com', '--remove', 'https://old.example.com');
    expect(changed.origins).toEqual(['https://*.example.com']);
    // Adding an entry that is already listed changes nothing and is not an error.
    expect((await json('widget', 'origins', String(client_key), '--add', 'https://*.example.com')).origins).toEqual(['https://*.example.com']);
    expect((await json('widget', 'disable', String(client_key))).disabled).toBe(true);
    expect((await json('widget', 'enable', String(client_key))).disabled).toBe(false);
  });

  it('widget config replaces the public settings from a JSON file and refuses an invalid one', async () => {
    const { client_key } = await json('widget', 'create', '--name', 'C', '--origin', 'https://c.example.com');
    const file = join(dir, 'settings.json');
    const settings = {
      agent: { display_name: 'Max', avatar_url: null },
      branding: { primary_color: '#000000', background_color: '#ffffff', text_color: '#111111', position: 'bottom-left' },
      copy: { title: 'Talk to Max', greeting: 'Hello', placeholder: 'Ask…' },
    };
    writeFileSync(file, JSON.stringify(settings));
    expect((await json('widget', 'config', String(client_key), '--file', file)).settings).toEqual(settings);
    writeFileSync(file, JSON.stringify({ ...settings, branding: { ...settings.branding, primary_color: 'red' } }));
    const out = await cli('widget', 'config', String(client_key), '--file', file);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('branding.primary_color');
  });

  it('key create, list and revoke by id or by the key itself; the list never shows a key', async () => {
    const { account_id } = await json('widget', 'create', '--name', 'K', '--origin', 'https://k.example.com');
    const live = await json('key', 'create', '--account', String(account_id));
    const test = await json('key', 'create', '--account', String(account_id), '--test');
    expect(live.secret_key).toMatch(/^sk_live_kt_/);
    expect(test.secret_key).toMatch(/^sk_test_kt_/);
    const listed = await cli('key', 'list', '--account', String(account_id));
    expect(listed.stdout).not.toContain(String(live.secret_key));
    expect((JSON.parse(listed.stdout) as { keys: unknown[] }).keys).toHaveLength(3);
    expect((await json('key', 'revoke', String(live.key_id))).revoked_at).not.toBeNull();
    expect((await json('key', 'revoke', String(test.secret_key))).key_id).toBe(test.key_id);
    expect((await cli('key', 'revoke', 'key_unknown')).exitCode).toBe(1);
  });

  it('signing-key rotate prints the new kid and when it starts signing; list shows it as next, --now as current', async () => {
    const { kid, activates_at } = await json('signing-key', 'rotate');
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(String(activates_at))).toBe(clock.now() + 305_000);
    const state = async (k: unknown) =>
      ((await json('signing-key', 'list')).keys as { kid: string; state: string }[]).find((key) => key.kid === k)?.state;
    expect(await state(kid)).toBe('next');
    const urgent = await json('signing-key', 'rotate', '--now');
    expect(Date.parse(String(urgent.activates_at))).toBe(clock.now());
    expect(await state(urgent.kid)).toBe('current');
    expect(await state(kid)).toBe('retired');
  });

  it('key roll prints a successor once and schedules the old key to expire; list shows both, then the old one expired', async () => {
    const { account_id } = await json('widget', 'create', '--name', 'R', '--origin', 'https://r.example.com');
    const { key_id: oldId } = await json('key', 'create', '--account', String(account_id));
    const rolled = await json('key', 'roll', String(oldId), '--expires-in', '2h');
    expect(rolled.secret_key).toMatch(/^sk_live_kt_/);
    expect(rolled.rolled).toMatchObject({ key_id: oldId, status: 'expiring', expires_at: new Date(clock.now() + 7_200_000).toISOString() });
    const statuses = async () =>
      Object.fromEntries(((await json('key', 'list', '--account', String(account_id))).keys as { key_id: string; status: string }[]).map((k) => [k.key_id, k.status]));
    expect(await statuses()).toMatchObject({ [String(oldId)]: 'expiring', [String(rolled.key_id)]: 'active' });
    clock.advance(7_200_000);
    expect(await statuses()).toMatchObject({ [String(oldId)]: 'expired', [String(rolled.key_id)]: 'active' });
    const again = await cli('key', 'roll', String(oldId));
    expect([again.exitCode, again.stderr]).toEqual([1, `${JSON.stringify({ error: `Key ${String(oldId)} is revoked or expired: create a new one with key create` })}\n`]);
  });

  it('session revoke ends the user\'s sessions and prints how many', async () => {
    const { client_key } = await json('widget', 'create', '--name', 'S', '--origin', 'https://s.example.com');
    expect(await json('session', 'revoke', '--client-key', String(client_key), '--user-id', 'u_1')).toEqual({ revoked_sessions: 0 });
  });

  it('prints usage on stdout, exit code 0: the overview for --help, a group\'s commands, each command\'s own', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const out = await cli(...argv);
      expect(out.exitCode).toBe(0);
      expect(out.stderr).toBe('');
      expect(out.stdout).toContain('Usage: npm run --silent admin -- <command> [options]');
      expect(out.stdout).toContain('key revoke KEY_ID_OR_SECRET_KEY');
    }
    const widget = await cli('widget', '--help');
    expect(widget.stdout).toContain('widget origins CLIENT_KEY');
    expect(widget.stdout).not.toContain('key revoke');
    for (const command of ['widget create', 'widget list', 'widget disable', 'widget enable', 'widget origins', 'widget config', 'key create', 'key list', 'key revoke', 'signing-key rotate']) {
      const out = await cli(...command.split(' '), '--help');
      expect(out.exitCode).toBe(0);
      expect(out.stderr).toBe('');
      expect(out.stdout).toMatch(new RegExp(`^Usage: npm run --silent admin -- ${command}`));
    }
  });

  it('runs as a real process through npm run admin against DATABASE_URL', async () => {
    const url = `file:${join(dir, 'process.sqlite')}`;
    const { stdout } = await run('npm', ['run', '--silent', 'admin', '--', 'widget', 'create', '--name', 'P', '--test'], {
      env: { ...process.env, DATABASE_URL: url },
    });
    const created = JSON.parse(stdout) as { client_key: string };
    expect(created.client_key).toMatch(/^pk_test_/);
  });

  it('as a real process, names DATABASE_URL and the cause in one line when the database cannot be opened, exit code 1', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const failed = await run('npm', ['run', '--silent', 'admin', '--', 'widget', 'list'], {
      env: { ...process.env, DATABASE_URL: `file:${join(file, 'db', 'x.sqlite')}` },
    }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toBe('');
    expect(failed?.stderr).toBe(`${JSON.stringify({ error: `DATABASE_URL: cannot create directory ${file}: a file is in the way` })}\n`);
  });
});
