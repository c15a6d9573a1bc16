import Database from 'better-sqlite3';
import { sqliteFilename } from './sqlite/openDatabase.js';

/**
 * Why the store at `url` could not be opened, in one line: the cause that start-up errors print
 * after `DATABASE_URL: `. The URL itself is never repeated (a PostgreSQL URL may hold a password);
 * a SQLite file is named by its path.
 */
export function describeOpenFailure(url: string, error: unknown): string {
  // drizzle wraps a failed statement in "Failed query: …"; SQLite's own error says why.
  let sqlite: InstanceType<typeof Database.SqliteError> | undefined;
  for (let e: unknown = error; e instanceof Error && sqlite === undefined; e = e.cause) {
    if (e instanceof Database.SqliteError) sqlite = e;
  }
  const message = firstLine(sqlite ?? error);
  if (sqlite !== undefined) {
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

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Credentials in a URL an error message quotes: `scheme://user:secret@host` → `scheme://user:…@host`.
  return (text.split('\n')[0] ?? '').replace(/(\/\/[^:/@\s]*):[^@\s]*@/g, '$1:…@');
}
