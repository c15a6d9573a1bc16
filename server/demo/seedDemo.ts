import { createWidget, type AdminDeps } from '../admin/index.js';

export interface DemoWidget {
  clientKey: string;
  secretKey: string;
}

/**
 * A fresh database gets one test-mode widget so a newcomer can try the whole flow at once.
 * Test mode accepts loopback origins on any port, so no allowlist setup is needed locally.
 * Returns undefined when the database already has accounts.
 */
export async function seedDemo(deps: AdminDeps): Promise<DemoWidget | undefined> {
  if ((await deps.store.countAccounts()) > 0) return undefined;
  const created = await createWidget(deps, { name: 'Demo widget', origins: [], mode: 'test', guestEnabled: true });
  if (created.secret_key === undefined) throw new Error('demo account has no secret key');
  return { clientKey: created.client_key, secretKey: created.secret_key };
}

export function demoBanner(demo: DemoWidget, baseUrl: string): string {
  const body = JSON.stringify({ client_key: demo.clientKey });
  return [
    '',
    'Demo widget created (test mode: loopback origins on any port are allowed).',
    `  client key: ${demo.clientKey}`,
    `  secret key: ${demo.secretKey}   (shown once; server-side only)`,
    '',
    'Mint a guest visitor token:',
    `  curl -s ${baseUrl}/api/v1/widget/auth/guest -H 'Origin: http://localhost:3000' -H 'Content-Type: application/json' -d '${body}'`,
    '',
  ].join('\n');
}
