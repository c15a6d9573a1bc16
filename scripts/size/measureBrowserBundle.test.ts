import { describe, expect, it } from 'vitest';
import { BROWSER_BUDGET_BYTES, measureBrowserBundle } from './measureBrowserBundle.js';

describe('the ./browser entry as shipped', () => {
  it("bundles only this project's own zod-free modules and stays within its gzipped budget", async () => {
    const size = await measureBrowserBundle();
    expect(size.inputs.filter((input) => input.includes('node_modules'))).toEqual([]);
    expect(size.inputs.filter((input) => input.startsWith('contract/'))).toEqual([
      'contract/errors.ts',
    ]);
    expect(size.gzippedBytes).toBeLessThanOrEqual(BROWSER_BUDGET_BYTES);
  });
});
