// Paths are relative to the repository root, where `npm run db:generate:postgres` runs.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './server/store/postgres/schema.ts',
  out: './server/store/postgres/migrations',
});
