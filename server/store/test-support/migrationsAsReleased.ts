import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A copy of the migrations folder `folder` as a release that shipped only its first `count`
 * migrations had it, for tests that upgrade a database such a release left behind. `remove`
 * deletes the copy.
 */
export function migrationsAsReleased(folder: string, count: number): { folder: string; remove: () => void } {
  const release = mkdtempSync(join(tmpdir(), 'kataven-migrations-'));
  cpSync(folder, release, { recursive: true });
  const journalFile = join(release, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }));
  return { folder: release, remove: () => rmSync(release, { recursive: true, force: true }) };
}
