import Database from 'better-sqlite3';
import { sqliteFilename } from './sqlite/openDatabase.js';

/**
 * Why the store at `url` could not be opened, in one line: the cause that start-up errors print
 * after `DATABASE_URL: `. The URL itself is never repeated (a PostgreSQL URL may hold a password);
 * a SQLite file is named by its path.
 */
export function describeOpenFailure(url: string, error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  if (error instanceof Database.SqliteError) {
    let file: string;
    try {
      file = sqliteFilename(url);
    } catch {
      file = 'the database file';
    }
    return `SQLite cannot use ${file}: ${message}`;
  }
  return message;
}
