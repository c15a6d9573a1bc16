import { initContract } from '@ts-rest/core';
import * as z from 'zod';
import { apiErrors, type ApiErrorCode } from './errors.js';

const c = initContract();

/**
 * A `text/plain` error response whose body is exactly one of the listed errors' messages.
 * Passing `open: true` also allows other one-line reasons (field validation on `user-token`);
 * `examples` lists some of those reasons for the documentation.
 */
export function textError(
  codes: readonly ApiErrorCode[],
  options: { open?: boolean; examples?: readonly string[] } = {},
) {
  const messages = codes.map((code) => apiErrors[code].message);
  const description = messages.map((m) => `\`${m}\``).join(' · ');
  const [first, ...rest] = messages;
  if (first === undefined) throw new Error('textError needs at least one code');
  const body = options.open
    ? z.string().meta({
        description: `One line: ${description}, or a reason naming the invalid field.`,
        examples: [...messages, ...(options.examples ?? [])],
      })
    : z.enum([first, ...rest]).meta({ description: `Exactly one of: ${description}.` });
  return c.otherResponse({ contentType: 'text/plain', body });
}
