import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const BROWSER_ENTRY = fileURLToPath(
  new URL('../../clients/browser/index.ts', import.meta.url),
);
export const BROWSER_BUDGET_BYTES = 3000;

export interface BundleSize {
  minifiedBytes: number;
  gzippedBytes: number;
  /** Every source file that ended up in the bundle, relative to the repository root. */
  inputs: string[];
}

/** The `./browser` entry as a customer's bundler would ship it: bundled, minified, gzipped. */
export async function measureBrowserBundle(): Promise<BundleSize> {
  const result = await build({
    entryPoints: [BROWSER_ENTRY],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    metafile: true,
    absWorkingDir: fileURLToPath(new URL('../..', import.meta.url)),
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return {
    minifiedBytes: code.byteLength,
    gzippedBytes: gzipSync(code, { level: 9 }).byteLength,
    inputs: Object.keys(result.metafile.inputs),
  };
}
