import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock.js';
import { generateSecretKey } from '../keys/secretKey.js';
import { openSqliteStore } from '../store/sqlite/openSqliteStore.js';
import type { Store } from '../store/store.js';
import { EXIT_CODES, runAdminCli } from './cli.js';
import { changeLastCharacter } from '../test-support/changeLastCharacter.js';

/**
 * Every command's bad inputs, as one table: each answer is one JSON line on stderr naming what is
 * wrong, nothing on stdout, exit code 2 for a wrong command line and 1 for refused input, and
 * the database is left as it was.
 */
describe('admin CLI: bad input', () => {
  let dir: string;
  let store: Store;
  let opened = 0;
  const clock = createManualClock();
  const cli = (argv: readonly string[]) =>
    runAdminCli(argv, () => {
      opened++;
      return Promise.resolve({ store, clock, close: () => Promise.resolve() });
    });

  // Placeholders until beforeAll runs: they name the rows.
  const fixture = { clientKey: 'CLIENT_KEY', accountId: 'ACCOUNT_ID', goodFile: 'good.json', badFile: 'bad.json' };
  const unknownSecretKey = generateSecretKey('live');
  const mistypedSecretKey = changeLastCharacter(unknownSecretKey);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kataven-cli-bad-'));
    store = await openSqliteStore({ url: `file:${join(dir, 'db.sqlite')}` });
    const created = await cli(['widget', 'create', '--name', 'Shop', '--origin', 'https://shop.example.com']);
    const parsed = JSON.parse(created.stdout) as { client_key: string; account_id: string };
    fixture.clientKey = parsed.client_key;
    fixture.accountId = parsed.account_id;
    fixture.goodFile = join(dir, 'good.json');
    writeFileSync(
      fixture.goodFile,
      JSON.stringify({
        agent: { display_name: 'Max', avatar_url: null },
        branding: { primary_color: '#000000', background_color: '#ffffff', text_color: '#111111', position: 'bottom-left' },
        copy: { title: 'Talk to Max', greeting: 'Hello', placeholder: 'Ask…' },
      }),
    );
    fixture.badFile = join(dir, 'bad.json');
    writeFileSync(fixture.badFile, JSON.stringify({ agent: { display_name: '' } }));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  type Row = [argv: () => string[], exitCode: number, error: string | RegExp];
  const ck = () => fixture.clientKey;
  const usage = EXIT_CODES.usage;
  const refused = EXIT_CODES.refused;
  const widgetCommands = '(widget commands: create, list, disable, enable, origins, config)';

  const rows: Row[] = [
    // The command itself
    [() => ['widget', 'frobnicate'], usage, `unknown command "widget frobnicate" ${widgetCommands}`],
    [() => ['frobnicate'], usage, 'unknown command "frobnicate" (commands: widget, key, session, signing-key, backup; try --help)'],
    [() => ['--frob'], usage, 'unknown command "--frob" (commands: widget, key, session, signing-key, backup; try --help)'],
    [() => ['widget'], usage, `widget: missing subcommand ${widgetCommands}`],
    [() => ['key', '--account', 'x'], usage, 'key: missing subcommand (key commands: create, list, revoke, roll)'],
    [() => ['signing-key'], usage, 'signing-key: missing subcommand (signing-key commands: rotate, list, withdraw, rewrap)'],
    // widget create
    [() => ['widget', 'create'], usage, 'widget create: --name is required (try: widget create --help)'],
    [() => ['widget', 'create', '--name'], usage, /^widget create: --name needs a value /],
    [() => ['widget', 'create', '--name', '--test'], usage, /^widget create: --name needs a value /],
    [() => ['widget', 'create', '--name', 'A', '--frob'], usage, 'widget create: unknown option --frob (try: widget create --help)'],
    [() => ['widget', 'create', '--name', 'A', '-t'], usage, 'widget create: unknown option -t (try: widget create --help)'],
    [() => ['widget', 'create', '--name', 'A', '--name', 'B'], usage, /^widget create: --name is given twice /],
    [() => ['widget', 'create', '--name', 'A', '--test=yes'], usage, /^widget create: --test takes no value /],
    [() => ['widget', 'create', '--name', 'A', '--test', '--test'], usage, /^widget create: --test is given twice /],
    [() => ['widget', 'create', '--name', 'A', 'extra'], usage, /^widget create: unexpected argument "extra" /],
    [() => ['widget', 'create', '--name', 'NoOrigin'], refused, 'A live widget needs at least one --origin'],
    [() => ['widget', 'create', '--name', ' ', '--test'], refused, '--name must be 1-128 characters'],
    [() => ['widget', 'create', '--name', 'Bad', '--origin', 'https://*.co.uk'], refused, /^Invalid origin "https:\/\/\*\.co\.uk": .*public suffix/],
    [() => ['widget', 'create', '--name', 'Bad', '--origin', 'https://shop.example.com/'], refused, /^Invalid origin "https:\/\/shop\.example\.com\/": /],
    [() => ['widget', 'create', '--name', 'X', '--test', '--account', 'acct_doesnotexist'], refused, 'Unknown account acct_doesnotexist'],
    // widget list, disable, enable
    [() => ['widget', 'list', 'all'], usage, /^widget list: unexpected argument "all" /],
    [() => ['widget', 'disable'], usage, /^widget disable: CLIENT_KEY is required /],
    [() => ['widget', 'disable', 'pk_live_doesnotexist'], refused, 'Unknown client_key pk_live_doesnotexist'],
    [() => ['widget', 'enable', ck(), 'again'], usage, /^widget enable: unexpected argument "again" /],
    [() => ['widget', 'enable', 'pk_live_doesnotexist'], refused, 'Unknown client_key pk_live_doesnotexist'],
    // widget origins
    [() => ['widget', 'origins'], usage, /^widget origins: CLIENT_KEY is required /],
    [() => ['widget', 'origins', ck(), '--add'], usage, /^widget origins: --add needs a value /],
    [() => ['widget', 'origins', ck(), '--replace', 'https://a.example.com'], usage, /^widget origins: unknown option --replace /],
    [() => ['widget', 'origins', 'pk_live_doesnotexist'], refused, 'Unknown client_key pk_live_doesnotexist'],
    [() => ['widget', 'origins', 'pk_live_doesnotexist', '--remove', 'https://shop.example.com'], refused, 'Unknown client_key pk_live_doesnotexist'],
    [() => ['widget', 'origins', ck(), '--remove', 'https://unlisted.example.com'], refused, /^Origin "https:\/\/unlisted\.example\.com" is not in the allowlist of pk_live_\w+$/],
    [() => ['widget', 'origins', ck(), '--remove', 'https://shop.example.com/'], refused, /^Origin "https:\/\/shop\.example\.com\/" is not in the allowlist of pk_live_\w+$/],
    [() => ['widget', 'origins', ck(), '--add', 'null'], refused, /^Invalid origin "null": /],
    [() => ['widget', 'origins', ck(), '--add', 'https://shop.example.com', '--remove', 'https://shop.example.com'], refused, 'Origin "https://shop.example.com" is both added and removed'],
    // widget config
    [() => ['widget', 'config', ck()], usage, /^widget config: --file is required /],
    [() => ['widget', 'config', '--file', fixture.goodFile], usage, /^widget config: CLIENT_KEY is required /],
    [() => ['widget', 'config', 'pk_live_doesnotexist', '--file', fixture.goodFile], refused, 'Unknown client_key pk_live_doesnotexist'],
    [() => ['widget', 'config', ck(), '--file', join(fixture.goodFile, 'missing.json')], refused, /^Cannot read .*missing\.json: /],
    [() => ['widget', 'config', ck(), '--file', fixture.badFile], refused, /^Invalid widget config: /],
    // key create, list, revoke
    [() => ['key', 'create'], usage, /^key create: --account is required /],
    [() => ['key', 'create', '--account', fixture.accountId, '--live'], usage, /^key create: unknown option --live /],
    [() => ['key', 'create', '--account', 'acct_doesnotexist'], refused, 'Unknown account acct_doesnotexist'],
    [() => ['key', 'list'], usage, /^key list: --account is required /],
    [() => ['key', 'list', '--account', fixture.accountId, '--test'], usage, /^key list: unknown option --test /],
    [() => ['key', 'list', '--account', 'acct_doesnotexist'], refused, 'Unknown account acct_doesnotexist'],
    [() => ['key', 'revoke'], usage, /^key revoke: KEY_ID_OR_SECRET_KEY is required /],
    [() => ['key', 'revoke', 'key_doesnotexist'], refused, 'Unknown key key_doesnotexist'],
    [() => ['key', 'revoke', unknownSecretKey], refused, `Unknown key ${unknownSecretKey.slice(0, 15)}…${unknownSecretKey.slice(-4)}`],
    [() => ['key', 'revoke', mistypedSecretKey], refused, 'Not a valid secret key (its checksum does not match)'],
    // signing-key rotate
    [() => ['signing-key', 'rotate', 'now'], usage, /^signing-key rotate: unexpected argument "now" /],
    [() => ['signing-key', 'rotate', '--now=yes'], usage, /^signing-key rotate: --now takes no value /],
    [() => ['signing-key', 'withdraw'], usage, /^signing-key withdraw: KID is required /],
    [() => ['signing-key', 'withdraw', 'nope'], refused, 'Unknown signing key nope'],
    [() => ['signing-key', 'rewrap'], refused, 'KATAVEN_KEY_ENCRYPTION_KEY is not set: there is no key to encrypt under'],
    // key roll
    [() => ['key', 'roll'], usage, /^key roll: KEY_ID is required /],
    [() => ['key', 'roll', 'key_doesnotexist'], refused, 'Unknown key key_doesnotexist'],
    [() => ['key', 'roll', 'key_doesnotexist', '--expires-in', 'forever'], refused, '--expires-in must look like 24h, 90m, 7d or 0s, at most 30d; got "forever"'],
    [() => ['key', 'roll', 'key_doesnotexist', '--expires-in', '31d'], refused, /^--expires-in must look like/],
    // session revoke
    [() => ['session', 'revoke', '--client-key', ck()], usage, /^session revoke: --user-id is required /],
    [() => ['session', 'revoke', '--client-key', 'pk_live_doesnotexist', '--user-id', 'u'], refused, 'Unknown client_key pk_live_doesnotexist'],
    [() => ['session', 'revoke', '--client-key', ck(), '--user-id', 'x'.repeat(257)], refused, '--user-id: user_id must be at most 256 characters'],
  ];

  const label = ([argv, exitCode]: Row) =>
    `${argv().map((a) => (a === unknownSecretKey ? 'SECRET_KEY' : a === mistypedSecretKey ? 'MISTYPED_SECRET_KEY' : a)).join(' ')} → exit ${exitCode}`;

  it.each(rows.map((row) => ({ row, name: label(row) })))('$name', async ({ row }) => {
    const [argv, exitCode, error] = row;
    const before = await cli(['widget', 'list']);
    const openedBefore = opened;
    const out = await cli(argv());
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^[^\n]+\n$/);
    const message = (JSON.parse(out.stderr) as { error: string }).error;
    if (typeof error === 'string') expect(message).toBe(error);
    else expect(message).toMatch(error);
    expect(out.exitCode).toBe(exitCode);
    // A wrong command line never opens the database.
    if (exitCode === EXIT_CODES.usage) expect(opened).toBe(openedBefore);
    // No secret key is ever printed, whole.
    expect(out.stderr).not.toContain(unknownSecretKey);
    expect(out.stderr).not.toContain(mistypedSecretKey);
    expect((await cli(['widget', 'list'])).stdout).toBe(before.stdout);
  });
});
