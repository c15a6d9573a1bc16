import type {
  AccountRecord,
  EpochMs,
  NewRefreshToken,
  NewSecretKey,
  PurgeResult,
  RefreshTokenLookup,
  RefreshTokenView,
  SecretKeyRecord,
  SessionRecord,
  SigningKeyRecord,
  StartSessionResult,
  WidgetPatch,
  WidgetRecord,
} from './records.js';

/**
 * Persistence, named by intent. Every security state change (spending a visitor token's jti,
 * rotating a refresh token, revoking a session) is a single atomic step of the implementation:
 * a conditional statement or one transaction, never a read followed by a separate write.
 * Implementations: SQLite (embedded default), PostgreSQL (shared by any number of instances).
 * All run `store.conformance.ts`.
 */
export interface Store {
  createAccount(account: AccountRecord): Promise<void>;
  findAccount(id: string): Promise<AccountRecord | undefined>;
  countAccounts(): Promise<number>;

  createWidget(widget: WidgetRecord): Promise<void>;
  findWidgetByClientKey(clientKey: string): Promise<WidgetRecord | undefined>;
  listWidgets(): Promise<WidgetRecord[]>;
  /**
   * Applies the patch and returns the updated widget, or undefined for an unknown key. Disabling
   * a widget also revokes all its sessions, in the same transaction (a trigger in both schemas).
   */
  updateWidget(clientKey: string, patch: WidgetPatch): Promise<WidgetRecord | undefined>;

  createSecretKey(key: NewSecretKey): Promise<void>;
  /** The key with this hash if it is neither revoked nor expired at `now`. */
  findActiveSecretKey(hash: string, now: EpochMs): Promise<SecretKeyRecord | undefined>;
  findSecretKey(id: string): Promise<SecretKeyRecord | undefined>;
  /** Records use; cheap enough for the hot path: no write while the recorded use is under a minute old. */
  touchSecretKey(id: string, at: EpochMs): Promise<void>;
  listSecretKeys(accountId: string): Promise<SecretKeyRecord[]>;
  /** Revokes by key id or by hash; returns the key as revoked, or undefined if unknown. */
  revokeSecretKey(ref: { id: string } | { hash: string }, at: EpochMs): Promise<SecretKeyRecord | undefined>;
  /**
   * Rolls key `id`: sets its expiry to `expiresAt` (never later than one already set) and inserts
   * `successor`, in one transaction, only if the key is of the successor's account and mode and is
   * neither revoked nor expired at `now`. Returns the rolled key, or undefined (writing nothing).
   */
  rollSecretKey(input: { id: string; now: EpochMs; expiresAt: EpochMs; successor: NewSecretKey }): Promise<SecretKeyRecord | undefined>;

  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Inserts the key only if there is no current (unretired) key; true if it was inserted. */
  insertFirstSigningKey(key: SigningKeyRecord): Promise<boolean>;
  /**
   * Atomically inserts `key` and retires, at `key.activatesAt`, every key that would otherwise
   * sign after it. With `unlessActivatedAfter`, does nothing (and returns false) if some key
   * activates after that instant: two instances rotating on a schedule add one key, not two.
   */
  rotateSigningKey(key: SigningKeyRecord, options?: { unlessActivatedAfter: EpochMs }): Promise<boolean>;
  /**
   * Withdraws a retired key (retired at or before `at`) from publication; returns it as
   * withdrawn, or undefined (writing nothing) for an unknown key or one that signs or will sign.
   */
  withdrawSigningKey(kid: string, at: EpochMs): Promise<SigningKeyRecord | undefined>;
  /** Replaces a key's stored private part if it is still `from` (re-encryption); true if replaced. */
  replaceSigningKeyPrivateJwk(kid: string, from: Record<string, unknown>, to: Record<string, unknown>): Promise<boolean>;

  /**
   * Spends the visitor token's jti and, in the same transaction, creates the session and its
   * first refresh token. If the jti was already spent nothing is written.
   */
  consumeVisitorToken(input: {
    jti: string;
    /** When the visitor token expires: the spent jti can be purged after this. */
    tokenExpiresAt: EpochMs;
    spentAt: EpochMs;
    session: SessionRecord;
    refreshToken: NewRefreshToken;
  }): Promise<StartSessionResult>;

  /**
   * The refresh token with this id (any row) or this hash (only rows written before tokens
   * carried their id, see the migration), its session, and its successor if it was rotated.
   */
  findRefreshToken(lookup: RefreshTokenLookup): Promise<RefreshTokenView | undefined>;

  /**
   * Spends the refresh token `tokenId` and inserts its successor, atomically, only if the token
   * is unspent, not expired at `now`, and its session is unrevoked and before its deadline.
   * Returns false (writing nothing) otherwise — e.g. a concurrent request rotated it first.
   */
  rotateRefreshToken(input: {
    tokenId: string;
    now: EpochMs;
    successor: NewRefreshToken;
    successorBox: Uint8Array;
  }): Promise<boolean>;

  /** Revokes the session (every refresh token of its family); false if already revoked or unknown. */
  revokeSession(sessionId: string, at: EpochMs): Promise<boolean>;

  /**
   * Ends every session of the user on the widget. First records the revocation (visitor tokens
   * minted for the user up to `at` must no longer exchange, see `findUserRevocation`) and makes it
   * visible to every connection, then revokes the user's live sessions; returns how many. In that
   * order, an exchange racing with it either is seen by the revocation of sessions or sees the
   * recorded revocation when it checks after creating its session.
   */
  revokeUserSessions(input: { widgetId: string; userId: string; at: EpochMs }): Promise<number>;
  /** The latest revocation of the user's sessions on the widget, if any. */
  findUserRevocation(widgetId: string, userId: string): Promise<EpochMs | undefined>;

  /**
   * Deletes spent visitor jtis past their token's expiry, sessions past their deadline or with no
   * live refresh token, revoked sessions after a day; clears successor boxes older than `graceMs`.
   * At most `limit` jtis, sessions and boxes per call, so each call holds the database briefly;
   * call again until every count is zero.
   */
  purgeExpired(now: EpochMs, graceMs: number, limit: number): Promise<PurgeResult>;

  /**
   * Calls `listener` after any connection — this process, another instance or the admin CLI —
   * commits an admin change: a widget created or changed, a secret key created, rolled or revoked, a
   * signing key added or rotated. Late by at most the store's poll interval (`adminChangePollMs`).
   * Returns a function that stops the calls.
   */
  onAdminChange(listener: () => void): () => void;

  /** Throws if the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
