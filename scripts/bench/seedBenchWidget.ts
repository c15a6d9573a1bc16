import { createWidget } from '../../server/admin/index.js';
import { systemClock } from '../../server/clock.js';
import { openStore } from '../../server/store/openStore.js';

/** The page origin every benchmark request comes from; the widget allows exactly it. */
export const BENCH_ORIGIN = 'https://shop.example.com';

export interface BenchWidget {
  clientKey: string;
  secretKey: string;
}

/**
 * A live widget and its account's first secret key, created through the admin use case (what
 * `npm run admin -- widget create` runs) in the database the server is then started on.
 */
export async function seedBenchWidget(databaseUrl: string): Promise<BenchWidget> {
  const store = await openStore({ url: databaseUrl });
  try {
    const created = await createWidget(
      { store, clock: systemClock },
      { name: 'Benchmark widget', origins: [BENCH_ORIGIN], mode: 'live', guestEnabled: true },
    );
    if (created.secret_key === undefined) throw new Error('benchmark account has no secret key');
    return { clientKey: created.client_key, secretKey: created.secret_key };
  } finally {
    await store.close();
  }
}
