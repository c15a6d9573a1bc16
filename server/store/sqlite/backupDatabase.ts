import Database from 'better-sqlite3';
import { sqliteFilename } from './openDatabase.js';

export interface BackupResult {
  /** Absolute path of the copy. */
  file: string;
  pages: number;
  /** `PRAGMA quick_check` of the copy: `ok` or SQLite's first complaint. */
  check: string;
}

/** Pages per backup step: all of them, so the copy is one snapshot however busy the writers are. */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies the live database into a new file with SQLite's online backup API, while servers keep
 * writing. The copy is a consistent snapshot of one moment: in WAL mode the backup's read
 * transaction sees every commit before it and none after, and writers are not blocked. Copying
 * everything in one step matters: a copy spread over several steps restarts whenever another
 * connection commits, and under steady traffic might never finish.
 */
export async function backupDatabase(url: string, to: string): Promise<BackupResult> {
  const source = new Database(sqliteFilename(url), { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const progress = await source.backup(to, { progress: () => ALL_PAGES });
    const copy = new Database(to, { readonly: true, fileMustExist: true });
    try {
      return { file: to, pages: progress.totalPages, check: String(copy.pragma('quick_check', { simple: true })) };
    } finally {
      copy.close();
    }
  } finally {
    source.close();
  }
}
