// Paths are relative to the repository root, where `npm run db:generate` runs.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './server/store/sqlite/schema.ts',
  out: './server/store/sqlite/migrations',
});
