import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Short causes for the file-system errors a start-up on a bad path meets. */
const CAUSES: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  ENOENT: 'the file system does not allow it (ENOENT)',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
};

function causeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && CAUSES[code] !== undefined) return CAUSES[code];
  return error instanceof Error ? error.message : String(error);
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Creates `directory` and its missing parents, one level at a time. Not `mkdirSync(…, { recursive:
 * true })`: on a file system that refuses `mkdir` with ENOENT under an existing directory (procfs,
 * `/proc/x/y`) Node's recursive mkdir retries forever. Errors name the directory and the cause in
 * one line, e.g. `cannot create directory /etc/hostname: a file is in the way`.
 */
export function createParentDirectories(directory: string): void {
  const missing: string[] = [];
  for (let current = directory; ; current = dirname(current)) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(current).isDirectory();
    } catch (error) {
      const code = codeOf(error);
      // ENOTDIR: a file further up is in the way; the loop finds and names it.
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(current) !== current) {
        missing.unshift(current);
        continue;
      }
      throw new Error(`cannot create directory ${current}: ${causeOf(error)}`);
    }
    if (!isDirectory) throw new Error(`cannot create directory ${current}: a file is in the way`);
    break;
  }
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      // Another process may have created it in the meantime.
      if (codeOf(error) === 'EEXIST' && statSync(path).isDirectory()) continue;
      throw new Error(`cannot create directory ${path}: ${causeOf(error)}`);
    }
  }
}
