/**
 * Reference 2: node-oidc-provider (Koa + jose), the closest trusted peer. One confidential client
 * (client_secret_basic), the client_credentials grant issuing ES256 JWT access tokens through the
 * resource indicators feature (RFC 8707 + RFC 9068 profile), and the refresh_token grant with
 * rotation. Storage is in memory (MapAdapter): the peer pays for no durable writes, we do (SQLite).
 *
 * Refresh tokens cannot come from client_credentials, and the authorization-code flow needs an
 * interactive login; so `POST /bench/refresh-tokens?count=N` creates, through the provider's own
 * models, exactly what a completed code flow leaves behind: a Grant per session (the API scope)
 * and its RefreshToken. Only the `/token` refresh_token grant is measured.
 */
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
import { MapAdapter } from './mapAdapter.js';
import { PEER_CLIENT_ID, PEER_CLIENT_SECRET, PEER_MINT_PATH, PEER_RESOURCE, PEER_SCOPE } from './peerClient.js';
import { serveReference } from './serveReference.js';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const ACCOUNT = 'bench-user';
const TTL = { access: 900, refresh: 604_800 };

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients: [
    {
      client_id: PEER_CLIENT_ID,
      client_secret: PEER_CLIENT_SECRET,
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['https://client.example/callback'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  jwks: { keys: [{ ...jwk, kid: 'bench-es256', alg: 'ES256', use: 'sig' }] },
  scopes: ['openid', 'offline_access', PEER_SCOPE],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => PEER_RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: PEER_SCOPE,
        audience: PEER_RESOURCE,
        accessTokenTTL: TTL.access,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  rotateRefreshToken: true,
  findAccount: (_ctx: unknown, sub: string) => Promise.resolve({ accountId: sub, claims: () => ({ sub }) }),
  ttl: { AccessToken: TTL.access, ClientCredentials: TTL.access, RefreshToken: TTL.refresh, Grant: TTL.refresh },
});
provider.on('server_error', (_ctx, error) => {
  process.stderr.write(`oidc-provider server_error: ${String(error)}\n`);
});

async function mintRefreshTokens(count: number): Promise<string[]> {
  const client = await provider.Client.find(PEER_CLIENT_ID);
  if (!client) throw new Error('bench client missing');
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const grant = new provider.Grant({ accountId: ACCOUNT, clientId: PEER_CLIENT_ID });
    grant.addResourceScope(PEER_RESOURCE, PEER_SCOPE);
    const grantId = await grant.save();
    const now = Math.floor(Date.now() / 1000);
    const token = new provider.RefreshToken({
      accountId: ACCOUNT,
      client,
      grantId,
      gty: 'authorization_code',
      scope: PEER_SCOPE,
      resource: PEER_RESOURCE,
      expiresWithSession: false,
      authTime: now,
      iiat: now,
    });
    tokens.push(await token.save());
  }
  return tokens;
}

const handle = provider.callback();
serveReference((req, res) => {
  const url = new URL(req.url ?? '/', issuer);
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  if (url.pathname === PEER_MINT_PATH && req.method === 'POST') {
    mintRefreshTokens(Math.min(Number(url.searchParams.get('count') ?? '0'), 1_000_000)).then(
      (tokens) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(tokens)),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
    );
    return;
  }
  handle(req, res);
}, port);
