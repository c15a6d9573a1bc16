import { initContract, type ContractOtherResponse } from '@ts-rest/core';
import * as z from 'zod';
import {
  apiErrorOf,
  type ApiErrorBody,
  type ApiErrorCode,
  type ApiErrorCodeWithStatus,
  type ApiErrorStatus,
} from './errors.js';

const c = initContract();

/** A `text/plain` error response whose body is one of the errors `C`. */
export type TextErrorResponse<C extends ApiErrorCode> = ContractOtherResponse<z.ZodType<ApiErrorBody<C>>>;

/** A route's error responses for the codes `C`, each under the status the catalogue gives it. */
export type ErrorResponses<C extends ApiErrorCode> = {
  [S in ApiErrorStatus<C>]: TextErrorResponse<Extract<C, ApiErrorCodeWithStatus<S>>>;
};

const codesByBody = new WeakMap<object, readonly ApiErrorCode[]>();

/** The codes a response body declared with `textError` stands for, for the document generator. */
export function errorCodesOfBody(body: unknown): readonly ApiErrorCode[] | undefined {
  return typeof body === 'object' && body !== null ? codesByBody.get(body) : undefined;
}

/**
 * The `text/plain` error response of `status` for `codes`. A code the catalogue files under
 * another status does not compile. The body is exactly one of the codes' messages, or, when a
 * code answers field reasons (`invalid_request`), any one line.
 */
export function textError<S extends ApiErrorStatus, C extends ApiErrorCodeWithStatus<S>>(
  status: S,
  codes: readonly [C, ...C[]],
): TextErrorResponse<C> {
  return buildTextError(status, codes) as TextErrorResponse<C>;
}

function buildTextError(status: number, codes: readonly ApiErrorCode[]) {
  const entries = codes.map((code) => {
    const entry = apiErrorOf(code);
    if (entry.status !== status) throw new Error(`${code} is a ${entry.status}, not a ${status}`);
    return entry;
  });
  const messages = entries.filter((entry) => entry.fieldReasons === undefined).map((entry) => entry.message);
  const reasons = entries.flatMap((entry) => entry.fieldReasons ?? []);
  const listed = messages.map((m) => `\`${m}\``).join(' · ');
  const [first, ...rest] = messages;
  const body =
    reasons.length > 0 || first === undefined
      ? z.string().meta({
          description: `One line: ${listed}, or a reason naming the invalid field.`,
          examples: [...messages, ...reasons],
        })
      : z.enum([first, ...rest]).meta({ description: `Exactly one of: ${listed}.` });
  codesByBody.set(body, codes);
  return c.otherResponse({ contentType: 'text/plain', body });
}

/**
 * A route's error responses, derived from the catalogue: each code is declared under its own
 * status, in the order given. A route's whole error set is one call.
 *
 * @example
 * responses: { 200: WidgetConfig, ...errorResponses('missing_client_key', 'unknown_client_key', 'rate_limited') }
 */
export function errorResponses<const C extends ApiErrorCode>(...codes: C[]): ErrorResponses<C> {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = apiErrorOf(code).status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses = Object.fromEntries([...byStatus].map(([status, listed]) => [status, buildTextError(status, listed)]));
  return responses as unknown as ErrorResponses<C>;
}
