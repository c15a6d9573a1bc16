import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The `./browser` entry bundled and minified as a customer's bundler would, exposed to test
 * pages as the global `Kataven`.
 */
export async function bundleBrowserClient(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../browser/index.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'Kataven',
    platform: 'browser',
    target: 'es2020',
    write: false,
  });
  return result.outputFiles[0]?.text ?? '';
}
