import { expect } from 'vitest';
import type { TestResponse } from './http.js';

/**
 * The API's error answer: the status, `text/plain; charset=utf-8`, exactly one line (the message
 * when given), never cached, never sniffed.
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
