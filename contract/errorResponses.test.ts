import * as z from 'zod';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { errorCodesOfBody, errorResponses, textError } from './errorResponses.js';
import { apiErrors, errorCodeOfAnswer, type ApiErrorCode } from './errors.js';
import { issueErrorCode } from './issueError.js';
import { contract } from './router.js';
import { UserTokenRequest } from './userToken.js';

/** The body schema of a declared `text/plain` response. */
function bodyOf(response: unknown): z.ZodType {
  return (response as { body: z.ZodType }).body;
}

describe('the error catalogue', () => {
  it('pairs every code with one status and one message, no message used twice', () => {
    const messages = Object.values(apiErrors).map((entry) => entry.message);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('does not compile a code under another status than its own', () => {
    textError(429, ['rate_limited']);
    // @ts-expect-error rate_limited is a 429, not a 400
    expect(() => textError(400, ['rate_limited'])).toThrow('rate_limited is a 429, not a 400');
    // @ts-expect-error unknown_client_key is a 404, not a 403
    expect(() => textError(403, ['origin_not_allowed', 'unknown_client_key'])).toThrow();
    // @ts-expect-error 418 is no status of the catalogue
    expect(() => textError(418, ['not_found'])).toThrow();
  });

  it('files each code of a route under its own status, in the order given', () => {
    const responses = errorResponses('missing_client_key', 'rate_limited', 'invalid_json', 'not_ready');
    expectTypeOf(responses).toHaveProperty(400);
    expectTypeOf(responses).toHaveProperty(429);
    expectTypeOf(responses).toHaveProperty(503);
    expectTypeOf(responses).not.toHaveProperty(404);
    expect(Object.keys(responses).sort()).toEqual(['400', '429', '503']);
    expect(z.toJSONSchema(bodyOf(responses[400])).enum).toEqual(['Missing client_key', 'Invalid JSON body']);
    expect(errorCodesOfBody(bodyOf(responses[400]))).toEqual(['missing_client_key', 'invalid_json']);
  });

  it('accepts any one line under a code that answers field reasons, and only the listed messages otherwise', () => {
    const userToken400 = bodyOf(contract.userToken.responses[400]);
    const guest400 = bodyOf(contract.guest.responses[400]);
    expect(userToken400.safeParse('email must be a valid email address').success).toBe(true);
    expect(guest400.safeParse('email must be a valid email address').success).toBe(false);
    expect(guest400.safeParse('Invalid client_key').success).toBe(true);
  });
});

describe('codes carried by request validation', () => {
  const codesOf = (body: unknown) =>
    UserTokenRequest.safeParse(body).error?.issues.map((issue) => issueErrorCode(issue) ?? 'field reason') ?? [];

  it.each<[string, unknown, (ApiErrorCode | 'field reason')[]]>([
    ['a body that is not an object', 'text', ['missing_user_fields']],
    ['a missing user_id', { client_key: 'pk_test_abcdefgh' }, ['missing_user_fields']],
    ['a malformed client_key', { client_key: 'nope', user_id: 'u' }, ['invalid_client_key']],
    ['an over-long name', { client_key: 'pk_test_abcdefgh', user_id: 'u', name: 'x'.repeat(129) }, ['field reason']],
  ])('tags %s with its catalogue code', (_case, body, codes) => {
    expect(codesOf(body)).toEqual(codes);
  });
});

describe('codes clients report for an answer', () => {
  it.each<[number, string, string]>([
    [400, 'Missing client_key', 'missing_client_key'],
    [403, 'Origin not in allowlist', 'origin_not_allowed'],
    [400, 'user_id must be at most 256 characters', 'invalid_request'],
    [429, 'slow down', 'rate_limited'],
    [502, 'Bad gateway', 'server_error'],
    [418, "I'm a teapot", 'http_418'],
  ])('reads %i %j as %s', (status, message, code) => {
    expect(errorCodeOfAnswer(status, message)).toBe(code);
  });
});
