import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AdminError } from './adminError.js';
import { createSecretKey, listSecretKeys, revokeSecretKey, type AdminDeps } from './secretKeys.js';
import { rotateSigningKey } from './signingKeys.js';
import { createWidget, editWidgetOrigins, listWidgets, setWidgetDisabled, setWidgetSettings } from './widgets.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface Command {
  usage: string;
  summary: string;
  options: Options;
  positionals: number;
  run(deps: AdminDeps, values: Values, positionals: string[]): Promise<unknown>;
}

const strings = (value: Values[string]): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');
const one = (values: Values, name: string): string => {
  const [value] = strings(values[name]);
  if (value === undefined) throw new AdminError(`--${name} is required`);
  return value;
};
const arg = (positionals: string[], index: number, name: string): string => {
  const value = positionals[index];
  if (value === undefined) throw new AdminError(`${name} is required`);
  return value;
};

const COMMANDS: Record<string, Command> = {
  'widget create': {
    usage: 'widget create --name NAME --origin ORIGIN [--origin ORIGIN …] [--test] [--no-guest] [--account ACCOUNT_ID]',
    summary: 'Create a widget. Without --account, also a new account and its first secret key (shown once).',
    options: {
      name: { type: 'string' },
      origin: { type: 'string', multiple: true },
      test: { type: 'boolean' },
      'no-guest': { type: 'boolean' },
      account: { type: 'string' },
    },
    positionals: 0,
    run: (deps, v) =>
      createWidget(deps, {
        name: one(v, 'name'),
        origins: strings(v.origin),
        mode: v.test === true ? 'test' : 'live',
        guestEnabled: v['no-guest'] !== true,
        accountId: strings(v.account)[0],
      }),
  },
  'widget list': { usage: 'widget list', summary: 'List every widget.', options: {}, positionals: 0, run: (deps) => listWidgets(deps) },
  'widget disable': {
    usage: 'widget disable CLIENT_KEY',
    summary: 'Disable a widget: config and guest answer 404, its tokens stop exchanging and refreshing.',
    options: {},
    positionals: 1,
    run: (deps, _v, p) => setWidgetDisabled(deps, arg(p, 0, 'CLIENT_KEY'), true),
  },
  'widget enable': {
    usage: 'widget enable CLIENT_KEY',
    summary: 'Enable a disabled widget.',
    options: {},
    positionals: 1,
    run: (deps, _v, p) => setWidgetDisabled(deps, arg(p, 0, 'CLIENT_KEY'), false),
  },
  'widget origins': {
    usage: 'widget origins CLIENT_KEY [--add ORIGIN]… [--remove ORIGIN]…',
    summary: 'Show or change the origin allowlist (entries are validated when saved).',
    options: { add: { type: 'string', multiple: true }, remove: { type: 'string', multiple: true } },
    positionals: 1,
    run: (deps, v, p) => editWidgetOrigins(deps, arg(p, 0, 'CLIENT_KEY'), { add: strings(v.add), remove: strings(v.remove) }),
  },
  'widget config': {
    usage: 'widget config CLIENT_KEY --file F.json',
    summary: 'Replace the public config ({ agent, branding, copy }) from a JSON file.',
    options: { file: { type: 'string' } },
    positionals: 1,
    run: async (deps, v, p) => {
      const file = one(v, 'file');
      let document: unknown;
      try {
        document = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new AdminError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      return setWidgetSettings(deps, arg(p, 0, 'CLIENT_KEY'), document);
    },
  },
  'key create': {
    usage: 'key create --account ACCOUNT_ID [--test]',
    summary: 'Create a secret key (live unless --test). The key is printed once; only its hash is stored.',
    options: { account: { type: 'string' }, test: { type: 'boolean' } },
    positionals: 0,
    run: (deps, v) => createSecretKey(deps, { accountId: one(v, 'account'), mode: v.test === true ? 'test' : 'live' }),
  },
  'key list': {
    usage: 'key list --account ACCOUNT_ID',
    summary: "List an account's secret keys (display prefix, last use, revocation; never the key).",
    options: { account: { type: 'string' } },
    positionals: 0,
    run: (deps, v) => listSecretKeys(deps, one(v, 'account')),
  },
  'key revoke': {
    usage: 'key revoke KEY_ID_OR_SECRET_KEY',
    summary: 'Revoke a secret key by its id or by the key itself. Takes effect on the next request.',
    options: {},
    positionals: 1,
    run: (deps, _v, p) => revokeSecretKey(deps, arg(p, 0, 'KEY_ID_OR_SECRET_KEY')),
  },
  'signing-key rotate': {
    usage: 'signing-key rotate',
    summary: 'Make a new signing key current; the old one stays in the JWKS until its tokens expired. Running servers switch within 5 s.',
    options: {},
    positionals: 0,
    run: (deps) => rotateSigningKey(deps),
  },
};

const overview = () =>
  [
    'Usage: npm run --silent admin -- <command> [options]   (every command prints one JSON object)',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`),
    '',
    'Each command takes --help. The database is DATABASE_URL (default file:./data/kataven.sqlite).',
  ].join('\n');

export interface CliOutput {
  /** One JSON object on success. */
  stdout: string;
  /** Help or a JSON error object. */
  stderr: string;
  exitCode: number;
}

/** Runs one admin command. Errors are `{ "error": "…" }` on stderr with exit code 1; usage errors exit 2. */
export async function runAdminCli(argv: readonly string[], openDeps: () => Promise<AdminDeps & { close(): Promise<void> }>): Promise<CliOutput> {
  const name = argv.slice(0, 2).join(' ');
  const command = COMMANDS[name];
  if (!command) {
    const wantsHelp = argv.length === 0 || argv[0] === '--help' || argv[0] === 'help';
    return { stdout: '', stderr: overview() + '\n', exitCode: wantsHelp ? 0 : 2 };
  }
  const rest = argv.slice(2);
  if (rest.includes('--help')) {
    return { stdout: '', stderr: `Usage: npm run --silent admin -- ${command.usage}\n\n${command.summary}\n`, exitCode: 0 };
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true });
    if (parsed.positionals.length !== command.positionals) throw new Error(`expected ${command.positionals} argument(s)`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { stdout: '', stderr: `${JSON.stringify({ error: message, usage: command.usage })}\n`, exitCode: 2 };
  }
  const deps = await openDeps();
  try {
    const result = await command.run(deps, parsed.values, parsed.positionals);
    return { stdout: `${JSON.stringify(result, null, 2)}\n`, stderr: '', exitCode: 0 };
  } catch (error) {
    if (error instanceof AdminError) return { stdout: '', stderr: `${JSON.stringify({ error: error.message })}\n`, exitCode: 1 };
    throw error;
  } finally {
    await deps.close();
  }
}
