// `npm start`'s build step: compile dist/ when a source changed since the last build. Plain
// JavaScript, so deciding costs a few stat calls rather than loading the TypeScript compiler
// (~0.4 s of CPU) on every start; `tsc -b` does the real up-to-date work.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Everything the server build reads (tsconfig.build.json) and the files that configure it. */
const INPUTS = ['contract', 'server', 'clients', 'openapi.json', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
/** Written after each successful `tsc -b`: the sources were current then. */
const STAMP = join(root, 'dist', '.sources-built');

/** The newest modification time under `path`; a directory's own time covers added and removed files. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let time = stat.mtimeMs;
  for (const entry of readdirSync(path)) time = Math.max(time, newest(join(path, entry)));
  return time;
}

function builtAt() {
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}

/** Runs `tsc -b` when a source changed since the last build through here; exits the process if it fails. */
export function buildIfChanged() {
  const since = builtAt();
  const checkedAt = new Date();
  if (!INPUTS.some((input) => newest(join(root, input)) > since)) return;
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-b', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(STAMP, '');
  // A source saved while tsc ran is newer than this, so the next start compiles again.
  utimesSync(STAMP, checkedAt, checkedAt);
}

// Run directly (the bench does, before timing a start): build only.
if (process.argv[1] === fileURLToPath(import.meta.url)) buildIfChanged();
