/**
 * A typed client for this API generated from `openapi.json` alone — what a customer's CI does:
 *
 *   npx openapi-typescript openapi.json -o examples/openapi-client/generated/openapi.d.ts
 *   npx tsc -p examples/openapi-client
 *
 * The test suite does exactly that (scripts/openapi/openapiClient.test.ts), then runs
 * `runHandshake` against a live server: if the document and the server ever disagree, it fails.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/openapi.js';

type Session = components['schemas']['SessionTokenResponse'];
type UserVisitorToken = components['schemas']['UserVisitorTokenResponse'];

export interface HandshakeInput {
  baseUrl: string;
  clientKey: string;
  secretKey: string;
  /** The page's origin. A browser sends it by itself; this program plays the page. */
  origin: string;
}

export interface HandshakeResult {
  agentName: string;
  guest: Session;
  refreshed: Session;
  userToken: UserVisitorToken;
  user: Session;
  refused: { status: number; message: string };
  logoutStatus: number;
}

function need<T>(result: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (result.data === undefined) {
    throw new Error(`${what}: ${result.response.status} ${String(result.error)}`);
  }
  return result.data;
}

export async function runHandshake(input: HandshakeInput): Promise<HandshakeResult> {
  const page = createClient<paths>({ baseUrl: input.baseUrl, headers: { Origin: input.origin } });
  // The customer's backend, the only place the secret key lives.
  const backend = createClient<paths>({
    baseUrl: input.baseUrl,
    headers: { Authorization: `Bearer ${input.secretKey}` },
  });

  const config = need(
    await page.GET('/api/v1/widget/config', { params: { query: { client_key: input.clientKey } } }),
    'config',
  );

  // Guest flow: mint on the page, exchange, refresh.
  const visitor = need(
    await page.POST('/api/v1/widget/auth/guest', { body: { client_key: input.clientKey } }),
    'guest',
  );
  const guest = need(
    await page.POST('/api/v1/widget/auth/exchange', { body: { token: visitor.token } }),
    'exchange',
  );
  const refreshed = need(
    await page.POST('/api/v1/widget/auth/refresh', {
      body: { refresh_token: guest.refresh_token },
    }),
    'refresh',
  );

  // Signed-in flow: the backend mints, the page exchanges.
  const userToken = need(
    await backend.POST('/api/v1/widget/auth/user-token', {
      body: {
        client_key: input.clientKey,
        user_id: 'u_123',
        name: 'Ada',
        metadata: { plan: 'pro', seats: 3 },
      },
    }),
    'user-token',
  );
  const user = need(
    await page.POST('/api/v1/widget/auth/exchange', { body: { token: userToken.token } }),
    'exchange (user)',
  );

  // Errors come back typed as the exact text/plain messages the document lists.
  const refusal = await page.POST('/api/v1/widget/auth/guest', {
    body: { client_key: 'pk_live_000000000000000000000000' },
  });
  if (refusal.error === undefined) throw new Error('an unknown client key was accepted');
  const message: string = refusal.error;

  const logout = await page.POST('/api/v1/widget/auth/logout', {
    body: { refresh_token: refreshed.refresh_token },
  });

  return {
    agentName: config.agent.display_name,
    guest,
    refreshed,
    userToken,
    user,
    refused: { status: refusal.response.status, message },
    logoutStatus: logout.response.status,
  };
}

/**
 * Never called: `tsc` proves the generated types are as strict as the contract. Each
 * `@ts-expect-error` fails the type check if the line it guards ever compiles.
 */
export async function typeChecks(client: Client<paths>): Promise<unknown[]> {
  // @ts-expect-error client_key is required
  await client.POST('/api/v1/widget/auth/guest', { body: {} });
  // @ts-expect-error user_id is required
  await client.POST('/api/v1/widget/auth/user-token', { body: { client_key: 'pk_test_x' } });
  await client.POST('/api/v1/widget/auth/user-token', {
    // @ts-expect-error metadata values are strings, numbers or booleans
    body: { client_key: 'pk_test_x', user_id: 'u', metadata: { nested: { deep: true } } },
  });
  // @ts-expect-error there is no such path
  await client.GET('/api/v1/widget/nowhere');

  const checked: unknown[] = [];
  const { data } = await client.POST('/api/v1/widget/auth/refresh', {
    body: { refresh_token: 'rt_x' },
  });
  if (data !== undefined) {
    const kind: 'guest' | 'user' = data.visitor.kind;
    const tokenType: 'Bearer' = data.token_type;
    const userId: string | null = data.visitor.user_id;
    // @ts-expect-error the session answer has no such field
    checked.push(data.session_id);
    checked.push(kind, tokenType, userId);
  }
  const { error } = await client.POST('/api/v1/widget/auth/exchange', { body: { token: 'x' } });
  if (error !== undefined) {
    // @ts-expect-error exchange never answers this message
    const impossible: 'Unknown client_key' = error;
    checked.push(impossible);
  }
  return checked;
}
