import type { UserMetadata, WidgetMode, WidgetPublicSettings, PublicJwk } from '../../contract/index.js';

/** All instants are epoch milliseconds. */
export type EpochMs = number;

export interface AccountRecord {
  id: string;
  name: string;
  createdAt: EpochMs;
}

export interface WidgetRecord {
  id: string;
  accountId: string;
  clientKey: string;
  name: string;
  mode: WidgetMode;
  /** Validated allowlist entries (exact origins or `scheme://*.domain[:port]`). */
  origins: string[];
  settings: WidgetPublicSettings;
  guestEnabled: boolean;
  disabled: boolean;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

export type WidgetPatch = Partial<Pick<WidgetRecord, 'origins' | 'settings' | 'guestEnabled' | 'disabled'>> & {
  updatedAt: EpochMs;
};

export interface SecretKeyRecord {
  id: string;
  accountId: string;
  mode: WidgetMode;
  /** Non-secret display form, e.g. `sk_test_kt_Ab3d…9xYz`. */
  displayPrefix: string;
  createdAt: EpochMs;
  lastUsedAt: EpochMs | null;
  revokedAt: EpochMs | null;
  /** Set when the key was rolled: from this instant it is refused like a revoked key. */
  expiresAt: EpochMs | null;
}

export interface NewSecretKey extends Omit<SecretKeyRecord, 'lastUsedAt' | 'revokedAt' | 'expiresAt'> {
  /** SHA-256 of the full secret key, hex. The key itself is never stored. */
  hash: string;
}

export interface SigningKeyRecord {
  kid: string;
  alg: 'ES256';
  /**
   * Private JWK (EC P-256, with `d`), or its sealed envelope when the operator configured a key
   * encryption key (`server/tokens/keyVault.ts`).
   */
  privateJwk: Record<string, unknown>;
  publicJwk: PublicJwk;
  createdAt: EpochMs;
  /**
   * When it starts signing. A rotation publishes the key in the JWKS first and activates it only
   * after verifiers' cached JWKS copies have expired.
   */
  activatesAt: EpochMs;
  /**
   * When it stops signing: a newer key's `activatesAt`, possibly still ahead. The key stays in
   * the JWKS until every token it signed has expired.
   */
  retiredAt: EpochMs | null;
  /** Set when an operator withdrew the retired key (it leaked): it left the JWKS then. */
  withdrawnAt: EpochMs | null;
}

export type VisitorKind = 'guest' | 'user';

export interface SessionRecord {
  id: string;
  widgetId: string;
  clientKey: string;
  visitorId: string;
  kind: VisitorKind;
  userId: string | null;
  name: string | null;
  email: string | null;
  metadata: UserMetadata | null;
  /** The origin the session is bound to (exchange's request Origin). */
  origin: string;
  createdAt: EpochMs;
  /** Absolute deadline; rotation never extends it. */
  expiresAt: EpochMs;
  revokedAt: EpochMs | null;
}

export interface NewRefreshToken {
  id: string;
  /** SHA-256 of the refresh token, hex. */
  hash: string;
  createdAt: EpochMs;
  /** Idle expiry, never after the session's deadline. */
  expiresAt: EpochMs;
}

/**
 * How to find a refresh token's row: by the id the token carries, or by its hash for tokens in
 * the format issued before tokens carried an id. A row found by id is not yet proof that the
 * presenter holds the token: the caller compares the hash.
 */
export type RefreshTokenLookup = { id: string } | { hash: string };

export interface RefreshTokenRecord extends NewRefreshToken {
  sessionId: string;
  spentAt: EpochMs | null;
  successorId: string | null;
  /**
   * The successor token's plaintext, sealed with a key derived from this token's plaintext, so
   * a retry within the grace window can be answered with the same successor. Cleared by the
   * purge once the grace window is over.
   */
  successorBox: Uint8Array | null;
}

export interface RefreshTokenView {
  token: RefreshTokenRecord;
  session: SessionRecord;
  successor: RefreshTokenRecord | null;
}

export type StartSessionResult =
  | { started: true }
  /** The visitor token's `jti` was already spent: by whom and when. */
  | { started: false; spentAt: EpochMs; sessionId: string | null };

export interface PurgeResult {
  visitorTokens: number;
  refreshTokens: number;
  sessions: number;
  /** Sealed successors dropped from spent refresh tokens. */
  successorBoxes: number;
}
