import { readFile } from 'node:fs/promises';
import { AdminError } from './adminError.js';
import { backupEmbeddedDatabase } from './backup.js';
import { parseCommandLine, UsageError, type OptionSpecs, type ParsedCommandLine } from './parseCommandLine.js';
import { createSecretKey, listSecretKeys, parseExpiresIn, revokeSecretKey, rollSecretKey, type AdminDeps } from './secretKeys.js';
import { revokeUserSessions } from './sessions.js';
import { listSigningKeys, rewrapSigningKeys, rotateSigningKey, withdrawSigningKey } from './signingKeys.js';
import { createWidget, editWidgetOrigins, listWidgets, setWidgetDisabled, setWidgetSettings } from './widgets.js';

/** The CLI's exit codes, documented in the README. */
export const EXIT_CODES = {
  ok: 0,
  /** The command was well formed but refused: an unknown account, key or widget, an invalid origin… */
  refused: 1,
  /** The command line itself is wrong: unknown command or option, a missing or extra argument. */
  usage: 2,
} as const;

interface CommandText {
  usage: string;
  summary: string;
  options: OptionSpecs;
  positionals: readonly string[];
}

type Command = CommandText &
  (
    | { run(deps: AdminDeps, args: ParsedCommandLine): Promise<unknown>; runOnDatabase?: never }
    | {
        /** Works on the database file itself, without opening the store (and migrating it). */
        runOnDatabase(databaseUrl: string, args: ParsedCommandLine): Promise<unknown>;
        run?: never;
      }
  );

const first = (args: ParsedCommandLine, name: string): string | undefined => args.strings.get(name)?.[0];
const required = (args: ParsedCommandLine, name: string): string => {
  const value = first(args, name);
  // parseCommandLine checks required options; this only narrows the type.
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
};
const positional = (args: ParsedCommandLine, index: number): string => args.positionals[index] ?? '';
const mode = (args: ParsedCommandLine) => (args.flags.has('test') ? 'test' : 'live');

const COMMANDS: Readonly<Record<string, Command>> = {
  'widget create': {
    usage: 'widget create --name NAME --origin ORIGIN [--origin ORIGIN …] [--test] [--no-guest] [--account ACCOUNT_ID]',
    summary: 'Create a widget. Without --account, also a new account and its first secret key (shown once).',
    options: {
      name: { type: 'string', required: true },
      origin: { type: 'string', multiple: true },
      test: { type: 'boolean' },
      'no-guest': { type: 'boolean' },
      account: { type: 'string' },
    },
    positionals: [],
    run: (deps, args) =>
      createWidget(deps, {
        name: required(args, 'name'),
        origins: [...(args.strings.get('origin') ?? [])],
        mode: mode(args),
        guestEnabled: !args.flags.has('no-guest'),
        accountId: first(args, 'account'),
      }),
  },
  'widget list': { usage: 'widget list', summary: 'List every widget.', options: {}, positionals: [], run: (deps) => listWidgets(deps) },
  'widget disable': {
    usage: 'widget disable CLIENT_KEY',
    summary:
      'The kill switch: config and guest answer 404 and visitor tokens stop exchanging on every server within 1 s, and every session of the widget ends (enabling it again revives none).',
    options: {},
    positionals: ['CLIENT_KEY'],
    run: (deps, args) => setWidgetDisabled(deps, positional(args, 0), true),
  },
  'widget enable': {
    usage: 'widget enable CLIENT_KEY',
    summary: 'Enable a disabled widget.',
    options: {},
    positionals: ['CLIENT_KEY'],
    run: (deps, args) => setWidgetDisabled(deps, positional(args, 0), false),
  },
  'widget origins': {
    usage: 'widget origins CLIENT_KEY [--add ORIGIN]… [--remove ORIGIN]…',
    summary: 'Show or change the origin allowlist. Added entries are validated; removing an entry that is not listed is refused.',
    options: { add: { type: 'string', multiple: true }, remove: { type: 'string', multiple: true } },
    positionals: ['CLIENT_KEY'],
    run: (deps, args) =>
      editWidgetOrigins(deps, positional(args, 0), {
        add: [...(args.strings.get('add') ?? [])],
        remove: [...(args.strings.get('remove') ?? [])],
      }),
  },
  'widget config': {
    usage: 'widget config CLIENT_KEY --file F.json',
    summary: 'Replace the public config ({ agent, branding, copy }) from a JSON file.',
    options: { file: { type: 'string', required: true } },
    positionals: ['CLIENT_KEY'],
    run: async (deps, args) => {
      const file = required(args, 'file');
      let document: unknown;
      try {
        document = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new AdminError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      return setWidgetSettings(deps, positional(args, 0), document);
    },
  },
  'key create': {
    usage: 'key create --account ACCOUNT_ID [--test]',
    summary: 'Create a secret key (live unless --test). The key is printed once; only its hash is stored.',
    options: { account: { type: 'string', required: true }, test: { type: 'boolean' } },
    positionals: [],
    run: (deps, args) => createSecretKey(deps, { accountId: required(args, 'account'), mode: mode(args) }),
  },
  'key list': {
    usage: 'key list --account ACCOUNT_ID',
    summary: "List an account's secret keys: display prefix, created, last used, expires, revoked, status (never the key).",
    options: { account: { type: 'string', required: true } },
    positionals: [],
    run: (deps, args) => listSecretKeys(deps, required(args, 'account')),
  },
  'key revoke': {
    usage: 'key revoke KEY_ID_OR_SECRET_KEY',
    summary: 'Revoke a secret key by its id or by the key itself. Takes effect on the next request.',
    options: {},
    positionals: ['KEY_ID_OR_SECRET_KEY'],
    run: (deps, args) => revokeSecretKey(deps, positional(args, 0)),
  },
  'session revoke': {
    usage: 'session revoke --client-key PK --user-id ID',
    summary:
      "End every session of a user on a widget, as the revoke route does: refresh tokens stop at once on every server, and visitor tokens minted for the user until now no longer exchange. Session JWTs already issued live until they expire.",
    options: { 'client-key': { type: 'string', required: true }, 'user-id': { type: 'string', required: true } },
    positionals: [],
    run: (deps, args) => revokeUserSessions(deps, { clientKey: required(args, 'client-key'), userId: required(args, 'user-id') }),
  },
  'key roll': {
    usage: 'key roll KEY_ID [--expires-in 24h]',
    summary:
      'Create a successor key (printed once) and let the old one expire after --expires-in (default 24h, at most 30d; units s, m, h, d). Both work until then: deploy the new key, then let the old one lapse. An expired key answers 401 like a revoked one.',
    options: { 'expires-in': { type: 'string' } },
    positionals: ['KEY_ID'],
    run: (deps, args) => rollSecretKey(deps, { keyId: positional(args, 0), expiresInMs: parseExpiresIn(first(args, 'expires-in') ?? '24h') }),
  },
  'signing-key rotate': {
    usage: 'signing-key rotate [--now]',
    summary:
      'Publish a new signing key in the JWKS at once (every server within 5 s) and make it sign after the JWKS max-age (300 s + 5 s), so no verifier holding a cached JWKS fails. --now makes it sign at once (a leaked key). The old key stays in the JWKS until its tokens expired.',
    options: { now: { type: 'boolean' } },
    positionals: [],
    run: (deps, args) => rotateSigningKey(deps, { now: args.flags.has('now') }),
  },
  'signing-key list': {
    usage: 'signing-key list',
    summary: 'List the signing keys: state (next, current, retired, gone), when each signs, retires and leaves the JWKS, and the operator key it is encrypted under.',
    options: {},
    positionals: [],
    run: (deps) => listSigningKeys(deps),
  },
  'signing-key withdraw': {
    usage: 'signing-key withdraw KID',
    summary:
      'Take a retired signing key out of the JWKS at once (a leaked key, after signing-key rotate --now): tokens it signed, forged ones included, stop verifying. Refused for the key that signs now.',
    options: {},
    positionals: ['KID'],
    run: (deps, args) => withdrawSigningKey(deps, positional(args, 0)),
  },
  'signing-key rewrap': {
    usage: 'signing-key rewrap',
    summary:
      'Encrypt every signing key under KATAVEN_KEY_ENCRYPTION_KEY: keys stored in the clear, and keys under an older operator key listed in KATAVEN_KEY_ENCRYPTION_KEY_PREVIOUS. Safe to repeat and to run while servers run.',
    options: {},
    positionals: [],
    run: (deps) => rewrapSigningKeys(deps),
  },
  backup: {
    usage: 'backup --to FILE',
    summary: 'Copy the embedded SQLite database to a new FILE while servers keep running (online backup). Not for PostgreSQL: use pg_dump or PITR.',
    options: { to: { type: 'string', required: true } },
    positionals: [],
    runOnDatabase: (databaseUrl, args) => backupEmbeddedDatabase(databaseUrl, required(args, 'to')),
  },
};

const PROGRAM = 'npm run --silent admin --';
const GROUPS = [...new Set(Object.keys(COMMANDS).map((name) => name.split(' ')[0] ?? ''))];
const HELP_FLAGS = new Set(['--help', '-h']);
/** Where a command is expected, `help` asks for usage too. */
const asksForHelp = (word: string | undefined) => word !== undefined && (HELP_FLAGS.has(word) || word === 'help');

function overview(group?: string): string {
  const commands = Object.entries(COMMANDS).filter(([name]) => group === undefined || name.startsWith(`${group} `));
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    ...commands.map(([, c]) => `  ${c.usage}\n      ${c.summary}`),
    '',
    'Every command prints one JSON object on stdout. Errors are one line, {"error": "…"}, on stderr;',
    'exit code 0 done, 1 refused (unknown widget, account or key, invalid origin…), 2 wrong command line.',
    'Each command takes --help. The database is DATABASE_URL (default file:./data/kataven.sqlite).',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return `Usage: ${PROGRAM} ${command.usage}\n\n${command.summary}\n`;
}

function unknownCommand(argv: readonly string[]): string {
  const [word, sub] = argv;
  if (word === undefined || !GROUPS.includes(word)) {
    return `unknown command ${JSON.stringify(word ?? '')} (commands: ${GROUPS.join(', ')}; try --help)`;
  }
  const subs = Object.keys(COMMANDS)
    .filter((name) => name.startsWith(`${word} `))
    .map((name) => name.slice(word.length + 1));
  const what = sub === undefined || sub.startsWith('-') ? `${word}: missing subcommand` : `unknown command ${JSON.stringify(`${word} ${sub}`)}`;
  return `${what} (${word} commands: ${subs.join(', ')})`;
}

export interface CliOutput {
  /** One JSON object on success; the usage text for --help. */
  stdout: string;
  /** One line, a JSON `{ "error": … }` object, on failure. */
  stderr: string;
  exitCode: number;
}

const failure = (message: string, exitCode: number): CliOutput => ({
  stdout: '',
  stderr: `${JSON.stringify({ error: message })}\n`,
  exitCode,
});

/**
 * Runs one admin command (exit codes: `EXIT_CODES`). `openDeps` is called only for a well-formed
 * command, so a wrong command line never touches the database.
 */
export async function runAdminCli(
  argv: readonly string[],
  openDeps: () => Promise<AdminDeps & { close(): Promise<void> }>,
  databaseUrl: () => string = () => '',
): Promise<CliOutput> {
  const [word] = argv;
  if (word === undefined || asksForHelp(word)) return { stdout: `${overview()}\n`, stderr: '', exitCode: EXIT_CODES.ok };
  // A command is one word (`backup`) or a group and a subcommand (`widget create`).
  const oneWord = COMMANDS[word] === undefined ? undefined : word;
  const name = oneWord ?? argv.slice(0, 2).join(' ');
  const command = COMMANDS[name];
  if (command === undefined) {
    if (GROUPS.includes(word) && argv.length === 2 && asksForHelp(argv[1])) {
      return { stdout: `${overview(word)}\n`, stderr: '', exitCode: EXIT_CODES.ok };
    }
    return failure(unknownCommand(argv), EXIT_CODES.usage);
  }
  const rest = argv.slice(oneWord === undefined ? 2 : 1);
  const dashDash = rest.indexOf('--');
  const optionPart = dashDash === -1 ? rest : rest.slice(0, dashDash);
  if (optionPart.some((arg) => HELP_FLAGS.has(arg))) {
    return { stdout: commandHelp(command), stderr: '', exitCode: EXIT_CODES.ok };
  }
  let args: ParsedCommandLine;
  try {
    args = parseCommandLine(rest, command.options, command.positionals);
  } catch (error) {
    if (error instanceof UsageError) return failure(`${name}: ${error.message} (try: ${name} --help)`, EXIT_CODES.usage);
    throw error;
  }
  if (command.runOnDatabase !== undefined) {
    try {
      return { stdout: `${JSON.stringify(await command.runOnDatabase(databaseUrl(), args), null, 2)}\n`, stderr: '', exitCode: EXIT_CODES.ok };
    } catch (error) {
      if (error instanceof AdminError) return failure(error.message, EXIT_CODES.refused);
      throw error;
    }
  }
  let deps: AdminDeps & { close(): Promise<void> };
  try {
    deps = await openDeps();
  } catch (error) {
    // The entry point reports a database it cannot open as an AdminError naming DATABASE_URL.
    if (error instanceof AdminError) return failure(error.message, EXIT_CODES.refused);
    throw error;
  }
  try {
    const result = await command.run(deps, args);
    return { stdout: `${JSON.stringify(result, null, 2)}\n`, stderr: '', exitCode: EXIT_CODES.ok };
  } catch (error) {
    if (error instanceof AdminError) return failure(error.message, EXIT_CODES.refused);
    throw error;
  } finally {
    await deps.close();
  }
}
