import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

/** A caller's request id is echoed only if it is short and harmless to log and reflect. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/**
 * Nor if it has the shape of a credential (a secret key, a refresh token, a JWT): request ids
 * are logged, and a client that put one there by mistake must not have it written to the logs.
 */
const CREDENTIAL_SHAPED = /^(sk_|rt_)|^eyJ|\..*\./;

/** The caller's `X-Request-Id` when it is safe to echo and log, else a new one. */
export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) && !CREDENTIAL_SHAPED.test(incoming) ? incoming : randomUUID();
}

/**
 * Headers every response carries besides its request id. Token responses and errors must not be
 * cached (RFC 6749 §5.1), so `no-store` is the default; the only cacheable answers (config, JWKS) opt out.
 */
export const BASE_HEADERS = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Cache-Control', 'no-store'],
  ['Pragma', 'no-cache'],
] as const;

export function setBaseHeaders(req: Request, res: Response): void {
  const requestId = requestIdFor(req.headers['x-request-id']);
  res.locals.requestId = requestId;
  res.setHeader('X-Request-Id', requestId);
  for (const [name, value] of BASE_HEADERS) res.setHeader(name, value);
}

/** The id `setBaseHeaders` gave this request (answered as `X-Request-Id`). */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

export function markCacheable(res: { setHeader(name: string, value: string): unknown; removeHeader(name: string): void }, maxAgeSeconds: number) {
  res.setHeader('Cache-Control', `public, max-age=${maxAgeSeconds}`);
  res.removeHeader('Pragma');
}
