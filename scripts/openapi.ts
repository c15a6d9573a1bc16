/**
 * Writes `openapi.json` at the repo root from the ts-rest contract.
 *
 *   npm run openapi          regenerate the file
 *   npm run openapi:check    exit 1 if the committed file is not what the contract generates
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApiJson } from './openapi/buildOpenApiDocument.js';

const OUTPUT = fileURLToPath(new URL('../openapi.json', import.meta.url));

function readCommitted(): string | undefined {
  try {
    return readFileSync(OUTPUT, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

function main(args: readonly string[]): number {
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown argument(s): ${unknown.join(' ')}\nUsage: tsx scripts/openapi.ts [--check]\n`,
    );
    return 2;
  }
  const fresh = renderOpenApiJson();
  if (args.includes('--check')) {
    const committed = readCommitted();
    if (committed === undefined) {
      process.stderr.write('openapi.json is missing: run npm run openapi\n');
      return 1;
    }
    if (committed !== fresh) {
      process.stderr.write('openapi.json is out of date: run npm run openapi\n');
      return 1;
    }
    process.stdout.write('openapi.json is up to date\n');
    return 0;
  }
  writeFileSync(OUTPUT, fresh);
  process.stdout.write(`Wrote ${OUTPUT}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
