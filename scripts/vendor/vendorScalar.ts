/**
 * Copies Scalar's self-contained browser bundle (the `/docs` page's script) from the npm package
 * into `vendor/scalar-api-reference/`, with where it came from and its licence (`source.json`):
 *
 *   npm run vendor:scalar -- 1.72.1
 *
 * The service serves the committed copy, so it does not depend at run time on
 * `@scalar/api-reference`, whose two dozen dependencies declare Node ≥ 22 and made `npm ci` warn
 * on every supported Node below that. The bundle itself runs in the browser and needs none of them.
 */
import { execFileSync } from 'node:child_process';
import { hash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';

const PACKAGE = '@scalar/api-reference';
const BUNDLE = 'dist/browser/standalone.js';
const TARGET = fileURLToPath(new URL('../../vendor/scalar-api-reference/', import.meta.url));

const PackResult = z.array(z.object({ filename: z.string(), version: z.string(), integrity: z.string() })).length(1);
const Manifest = z.object({ license: z.string(), homepage: z.string().optional() });

const version = process.argv[2];
if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
  process.stderr.write('Usage: npm run vendor:scalar -- <exact version, e.g. 1.72.1>\n');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'kataven-scalar-'));
try {
  const [packed] = PackResult.parse(
    JSON.parse(execFileSync('npm', ['pack', `${PACKAGE}@${version}`, '--json', '--pack-destination', work], { encoding: 'utf8' })),
  );
  if (packed === undefined) throw new Error('npm pack returned nothing');
  execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', work, `package/${BUNDLE}`, 'package/package.json']);
  const manifest = Manifest.parse(JSON.parse(readFileSync(join(work, 'package', 'package.json'), 'utf8')));
  mkdirSync(TARGET, { recursive: true });
  copyFileSync(join(work, 'package', BUNDLE), join(TARGET, 'standalone.js'));
  const source = {
    package: PACKAGE,
    version: packed.version,
    license: manifest.license,
    homepage: manifest.homepage ?? null,
    file: BUNDLE,
    tarballIntegrity: packed.integrity,
    sha256: hash('sha256', readFileSync(join(TARGET, 'standalone.js'))),
  };
  writeFileSync(join(TARGET, 'source.json'), `${JSON.stringify(source, null, 2)}\n`);
  process.stdout.write(`vendor/scalar-api-reference/standalone.js ← ${PACKAGE}@${packed.version}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
