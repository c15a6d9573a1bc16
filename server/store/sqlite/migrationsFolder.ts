import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const JOURNAL = join('meta', '_journal.json');
const FROM_PACKAGE_ROOT = join('server', 'store', 'sqlite', 'migrations');

/**
 * The folder drizzle-kit generated the migrations into. `tsc` copies no `.sql` files, so code
 * compiled to `dist/server/store/sqlite/` finds the folder from the package root (the nearest
 * directory with a package.json); running from source, the folder is simply next to this file.
 */
export function sqliteMigrationsFolder(from: string | URL = import.meta.url): string {
  const start = dirname(fileURLToPath(from));
  const beside = join(start, 'migrations');
  if (existsSync(join(beside, JOURNAL))) return beside;

  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const folder = join(dir, FROM_PACKAGE_ROOT);
      if (existsSync(join(folder, JOURNAL))) return folder;
      throw new Error(`SQLite migrations not found: expected ${join(folder, JOURNAL)}`);
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(`SQLite migrations not found: no package.json above ${start}`);
}
