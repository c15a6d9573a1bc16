import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['contract/**/*.test.ts', 'server/**/*.test.ts', 'clients/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Checks PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL) once per run.
    globalSetup: ['server/test-support/globalSetup.ts'],
  },
});
