import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const JOURNAL = join('meta', '_journal.json');

/**
 * The folder drizzle-kit generated a store's migrations into, `server/store/<store>/migrations`.
 * `tsc` copies no `.sql` files, so code compiled to `dist/server/store/<store>/` finds the folder
 * from the package root (the nearest directory with a package.json); running from source, the
 * folder is next to the calling module (`from`).
 */
export function findMigrationsFolder(store: string, from: string | URL): string {
  const start = dirname(fileURLToPath(from));
  const beside = join(start, 'migrations');
  if (existsSync(join(beside, JOURNAL))) return beside;

  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const folder = join(dir, 'server', 'store', store, 'migrations');
      if (existsSync(join(folder, JOURNAL))) return folder;
      throw new Error(`${store} migrations not found: expected ${join(folder, JOURNAL)}`);
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(`${store} migrations not found: no package.json above ${start}`);
}
