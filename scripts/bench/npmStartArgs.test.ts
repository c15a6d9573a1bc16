import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { npmStartArgs } from './npmStartArgs.js';

const root = join(import.meta.dirname, '../..');

function packageWithStart(start: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kataven-npm-start-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start } }));
  return dir;
}

describe('npmStartArgs', () => {
  it("gives node the project's own start flags, then the start script", () => {
    const args = npmStartArgs(root);
    expect(args.at(-1)).toBe('scripts/start.mjs');
    expect(args).toContain('--max-semi-space-size=16');
  });

  it('refuses a start command it could not run as npm does', () => {
    expect(() => npmStartArgs(packageWithStart('tsx server/main.ts'))).toThrow('plain "node [flags] script"');
    expect(() => npmStartArgs(packageWithStart('node a.mjs && node b.mjs'))).toThrow('plain "node [flags] script"');
  });
});
