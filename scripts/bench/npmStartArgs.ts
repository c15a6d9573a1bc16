import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

const PackageJson = z.object({ scripts: z.object({ start: z.string() }) });

/**
 * The arguments `npm start` gives `node` (its flags, then the script), read from package.json so
 * the bench starts the service exactly as it ships. Only a plain `node …` command is understood.
 */
export function npmStartArgs(root: string): string[] {
  const { start } = PackageJson.parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))).scripts;
  const [command, ...args] = start.trim().split(/\s+/);
  if (command !== 'node' || args.length === 0 || args.some((arg) => /["'$`\\;&|<>]/.test(arg))) {
    throw new Error(`npm start is ${JSON.stringify(start)}: the bench runs only a plain "node [flags] script"`);
  }
  return args;
}
