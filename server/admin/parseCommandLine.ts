export interface OptionSpec {
  type: 'string' | 'boolean';
  /** May be given more than once (values collected in order). */
  multiple?: boolean;
  required?: boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface ParsedCommandLine {
  strings: ReadonlyMap<string, readonly string[]>;
  flags: ReadonlySet<string>;
  positionals: readonly string[];
}

/** A malformed command line: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses a command's arguments against its options: `--name VALUE`, `--name=VALUE`, boolean
 * `--flag`, positionals (`--` ends the options). Every refusal names the option or argument at
 * fault, in one line. Written here rather than with `util.parseArgs`, whose lenient mode takes
 * `--name --test` as a name and whose strict messages are a paragraph about `--`.
 */
export function parseCommandLine(
  args: readonly string[],
  options: OptionSpecs,
  positionalNames: readonly string[],
): ParsedCommandLine {
  const strings = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const rawName = equals === -1 ? arg : arg.slice(0, equals);
    const name = rawName.replace(/^--?/, '');
    const spec = rawName.startsWith('--') ? options[name] : undefined;
    if (spec === undefined) throw new UsageError(`unknown option ${rawName}`);
    if (spec.type === 'boolean') {
      if (equals !== -1) throw new UsageError(`${rawName} takes no value`);
      if (flags.has(name)) throw new UsageError(`${rawName} is given twice`);
      flags.add(name);
      continue;
    }
    let value: string;
    if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('-')) {
        throw new UsageError(`${rawName} needs a value (write ${rawName}=VALUE for one that starts with "-")`);
      }
      value = next;
      i++;
    }
    const values = strings.get(name) ?? [];
    if (values.length > 0 && spec.multiple !== true) throw new UsageError(`${rawName} is given twice`);
    values.push(value);
    strings.set(name, values);
  }
  for (const [name, spec] of Object.entries(options)) {
    if (spec.required === true && !strings.has(name)) throw new UsageError(`--${name} is required`);
  }
  const extra = positionals[positionalNames.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
  const missing = positionalNames[positionals.length];
  if (missing !== undefined) throw new UsageError(`${missing} is required`);
  return { strings, flags, positionals };
}
