/**
 * Raw row shapes of the store's SQL and their mapping to records. Column lists live here so every
 * SELECT and RETURNING reads the same columns the mappers expect.
 */
import type {
  PublicJwk,
  UserMetadata,
  WidgetMode,
  WidgetPublicSettings,
} from '../../../contract/index.js';
import type {
  AccountRecord,
  RefreshTokenRecord,
  SecretKeyRecord,
  SessionRecord,
  SigningKeyRecord,
  VisitorKind,
  WidgetRecord,
} from '../records.js';

/** SQLite has no boolean type: flags are 0/1 integers. */
type Flag = 0 | 1;

export const flag = (value: boolean): Flag => (value ? 1 : 0);

export const ACCOUNT_COLUMNS = 'id, name, created_at';
export interface AccountRow {
  id: string;
  name: string;
  created_at: number;
}
export const toAccount = (r: AccountRow): AccountRecord => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
});

export const WIDGET_COLUMNS =
  'id, account_id, client_key, name, mode, origins, settings, guest_enabled, disabled, created_at, updated_at';
export interface WidgetRow {
  id: string;
  account_id: string;
  client_key: string;
  name: string;
  mode: WidgetMode;
  origins: string;
  settings: string;
  guest_enabled: Flag;
  disabled: Flag;
  created_at: number;
  updated_at: number;
}
export const toWidget = (r: WidgetRow): WidgetRecord => ({
  id: r.id,
  accountId: r.account_id,
  clientKey: r.client_key,
  name: r.name,
  mode: r.mode,
  origins: JSON.parse(r.origins) as string[],
  settings: JSON.parse(r.settings) as WidgetPublicSettings,
  guestEnabled: r.guest_enabled === 1,
  disabled: r.disabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const SECRET_KEY_COLUMNS =
  'id, account_id, mode, display_prefix, created_at, last_used_at, revoked_at';
export interface SecretKeyRow {
  id: string;
  account_id: string;
  mode: WidgetMode;
  display_prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}
export const toSecretKey = (r: SecretKeyRow): SecretKeyRecord => ({
  id: r.id,
  accountId: r.account_id,
  mode: r.mode,
  displayPrefix: r.display_prefix,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export const SIGNING_KEY_COLUMNS = 'kid, alg, private_jwk, public_jwk, created_at, retired_at';
export interface SigningKeyRow {
  kid: string;
  alg: 'ES256';
  private_jwk: string;
  public_jwk: string;
  created_at: number;
  retired_at: number | null;
}
export const toSigningKey = (r: SigningKeyRow): SigningKeyRecord => ({
  kid: r.kid,
  alg: r.alg,
  privateJwk: JSON.parse(r.private_jwk) as Record<string, unknown>,
  publicJwk: JSON.parse(r.public_jwk) as PublicJwk,
  createdAt: r.created_at,
  retiredAt: r.retired_at,
});

const SESSION_COLUMN_NAMES = [
  'id',
  'widget_id',
  'client_key',
  'visitor_id',
  'kind',
  'user_id',
  'name',
  'email',
  'metadata',
  'origin',
  'created_at',
  'expires_at',
  'revoked_at',
] as const;
export interface SessionRow {
  id: string;
  widget_id: string;
  client_key: string;
  visitor_id: string;
  kind: VisitorKind;
  user_id: string | null;
  name: string | null;
  email: string | null;
  metadata: string | null;
  origin: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}
export const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  widgetId: r.widget_id,
  clientKey: r.client_key,
  visitorId: r.visitor_id,
  kind: r.kind,
  userId: r.user_id,
  name: r.name,
  email: r.email,
  metadata: r.metadata === null ? null : (JSON.parse(r.metadata) as UserMetadata),
  origin: r.origin,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

const REFRESH_TOKEN_COLUMN_NAMES = [
  'id',
  'hash',
  'session_id',
  'created_at',
  'expires_at',
  'spent_at',
  'successor_id',
  'successor_box',
] as const;
export interface RefreshTokenRow {
  id: string;
  hash: string;
  session_id: string;
  created_at: number;
  expires_at: number;
  spent_at: number | null;
  successor_id: string | null;
  successor_box: Buffer | null;
}
export const toRefreshToken = (r: RefreshTokenRow): RefreshTokenRecord => ({
  id: r.id,
  hash: r.hash,
  sessionId: r.session_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  spentAt: r.spent_at,
  successorId: r.successor_id,
  // A plain view over the Buffer, so records compare equal to the Uint8Array that was stored.
  successorBox:
    r.successor_box === null
      ? null
      : new Uint8Array(
          r.successor_box.buffer,
          r.successor_box.byteOffset,
          r.successor_box.byteLength,
        ),
});

/**
 * findRefreshToken reads the token, its session and its successor in one row. The two
 * refresh_tokens aliases share column names, so each table's columns get a prefix.
 */
const prefixed = (alias: string, names: readonly string[]): string =>
  names.map((name) => `${alias}.${name} AS ${alias}_${name}`).join(', ');

export const REFRESH_VIEW_COLUMNS = [
  prefixed('t', REFRESH_TOKEN_COLUMN_NAMES),
  prefixed('s', SESSION_COLUMN_NAMES),
  prefixed('n', REFRESH_TOKEN_COLUMN_NAMES),
].join(', ');

export type RefreshViewRow = Record<string, unknown>;

/** Untyped on purpose: the caller names the row shape the column list stands for. */
function unprefix(row: RefreshViewRow, alias: string, names: readonly string[]): unknown {
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = row[`${alias}_${name}`];
  return out;
}

export const viewToken = (row: RefreshViewRow) =>
  unprefix(row, 't', REFRESH_TOKEN_COLUMN_NAMES) as RefreshTokenRow;
export const viewSession = (row: RefreshViewRow) =>
  unprefix(row, 's', SESSION_COLUMN_NAMES) as SessionRow;
/** Undefined when the token was never rotated (the LEFT JOIN found nothing). */
export const viewSuccessor = (row: RefreshViewRow): RefreshTokenRow | undefined =>
  row.n_id === null
    ? undefined
    : (unprefix(row, 'n', REFRESH_TOKEN_COLUMN_NAMES) as RefreshTokenRow);

export const SESSION_COLUMNS = SESSION_COLUMN_NAMES.join(', ');
