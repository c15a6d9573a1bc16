import { expect } from 'vitest';
import type { TestResponse } from './http.js';

/**
 * The spec's error answer (§2, §3): the status, `text/plain; charset=utf-8`, exactly one line
 * (the message when given), never cached, never sniffed.
 */
export function expectTextError(
  response: TestResponse,
  status: number,
  message?: string | RegExp,
): void {
  expect(response.status, `status (body: ${response.text})`).toBe(status);
  if (typeof message === 'string') expect(response.text).toBe(message);
  else if (message !== undefined) expect(response.text).toMatch(message);
  expect(response.text).not.toMatch(/[\r\n]/);
  expect(response.text.length).toBeGreaterThan(0);
  expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('pragma')).toBe('no-cache');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
}

/** Names of every `Access-Control-*` header in a response. */
export function corsHeaderNames(headers: Headers): string[] {
  return [...headers.keys()].filter((name) => name.toLowerCase().startsWith('access-control-'));
}

/** The decoded (unverified) header and payload of a compact JWS. */
export function decodeJwtParts(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = token.split('.');
  const decode = (part: string | undefined): Record<string, unknown> => {
    if (part === undefined) throw new Error('not a compact JWS');
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('JWS part is not an object');
    return value as Record<string, unknown>;
  };
  return { header: decode(header), payload: decode(payload) };
}
