/** What the benchmark and the node-oidc-provider peer agree on: one confidential client and one API. */
export const PEER_CLIENT_ID = 'kataven-bench';
export const PEER_CLIENT_SECRET = 'kataven-bench-client-secret-0123456789abcdef';
/** RFC 8707 resource indicator of the API the peer issues ES256 JWT access tokens for. */
export const PEER_RESOURCE = 'urn:kataven-bench:api';
export const PEER_SCOPE = 'api:read';
/** Bench-only route on the peer's process that pre-mints refresh tokens (see oidcPeer.ts). */
export const PEER_MINT_PATH = '/bench/refresh-tokens';
