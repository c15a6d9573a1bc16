import { RevokeUserResponse, type RevokeUserRequest } from '../../contract/revokeUser.js';
import { UserVisitorTokenResponse } from '../../contract/tokens.js';
import type { UserTokenRequest } from '../../contract/userToken.js';
import { errorFromResponse, KatavenError, networkError } from '../shared/katavenError.js';
import { retryDelayMs } from './backoff.js';

export interface ServerClientOptions {
  /** Where the Kataven API answers, e.g. `https://auth.kataven.example`. */
  baseUrl: string;
  /** Your `sk_live_kt_…` / `sk_test_kt_…` key. Server-side only; it never appears in errors. */
  secretKey: string;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
  /** Per attempt, milliseconds; default 10 000. */
  timeoutMs?: number;
  /** Retries after a 429, a 5xx or no answer at all; default 2. Other 4xx are never retried. */
  maxRetries?: number;
}

export interface ServerClient {
  /**
   * Mints a single-use visitor token for one of your signed-in users. Hand `token` to the
   * widget (its `fetchUserToken` callback), which exchanges it for a session.
   */
  createUserToken(input: UserTokenRequest): Promise<UserVisitorTokenResponse>;
  /**
   * Ends every session of one user on a widget, on every instance: their refresh tokens stop
   * working and visitor tokens minted for them before this call no longer exchange. Session JWTs
   * already issued stay valid until they expire. Idempotent: `revoked_sessions` is 0 when there
   * was nothing to end.
   *
   * @example
   * // the user signed out everywhere, or their account was suspended
   * const { revoked_sessions } = await kataven.revokeUserSessions({ client_key: 'pk_live_…', user_id: user.id });
   */
  revokeUserSessions(input: RevokeUserRequest): Promise<RevokeUserResponse>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/**
 * The client your backend uses to vouch for signed-in users. Retries 429, 5xx and network
 * failures with capped, jittered backoff that honours `Retry-After`; throws `KatavenError`.
 *
 * @example
 * import { createServerClient } from 'kataven-widget-auth/node';
 *
 * const kataven = createServerClient({ baseUrl: 'https://auth.kataven.example', secretKey: process.env.KATAVEN_SECRET_KEY ?? '' });
 * const { token } = await kataven.createUserToken({ client_key: 'pk_live_…', user_id: user.id, name: user.name });
 * // send `token` to the page, where the widget exchanges it
 */
export function createServerClient(options: ServerClientOptions): ServerClient {
  if (typeof options.secretKey !== 'string' || options.secretKey === '') {
    throw new TypeError('createServerClient: secretKey is required');
  }
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypeError('createServerClient: baseUrl must be an http(s) URL');
  }
  const root = base.href.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetries = Math.max(0, options.maxRetries ?? 2);
  // Kept in this closure only: the client object has no property that could be logged.
  const authorization = `Bearer ${options.secretKey}`;

  async function attempt(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    try {
      const response = await doFetch(root + path, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) throw await errorFromResponse(response);
      const text = await response.text();
      try {
        return { status: response.status, json: JSON.parse(text) };
      } catch {
        return { status: response.status, json: undefined };
      }
    } catch (error) {
      if (error instanceof KatavenError) throw error;
      throw networkError(
        error,
        isTimeout(error) ? `Request timed out after ${timeoutMs} ms` : 'Network error',
      );
    }
  }

  async function post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(path, body);
      } catch (error) {
        if (!(error instanceof KatavenError)) throw error;
        const retryable = error.status === 0 || error.status === 429 || error.status >= 500;
        const delay =
          retryable && retry < maxRetries ? retryDelayMs(retry, error.retryAfter) : undefined;
        if (delay === undefined) throw error;
        await sleep(delay);
      }
    }
  }

  /** A 2xx that is not the contract's shape (a proxy's page, a version mismatch) is a failure. */
  async function call<T>(path: string, body: unknown, schema: { safeParse(json: unknown): { success: true; data: T } | { success: false } }): Promise<T> {
    const { status, json } = await post(path, body);
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new KatavenError(status, 'server_error', 'Unexpected response from Kataven');
    return parsed.data;
  }

  return {
    createUserToken: (input) => call('/api/v1/widget/auth/user-token', input, UserVisitorTokenResponse),
    revokeUserSessions: (input) => call('/api/v1/widget/auth/revoke', input, RevokeUserResponse),
  };
}
